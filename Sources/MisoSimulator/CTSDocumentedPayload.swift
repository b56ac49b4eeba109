/// The CTS response in the shape the spec documents: `data[]` records plus `metadata`.
///
/// Every number depends only on (seed, day, interval, node), prices are whole cents so
/// `total = energy + congestion + losses` holds exactly, and `retrievalTimestamp` comes from the day,
/// so the same request always gets the same bytes.
struct CTSDocumentedPayload {
    struct Record {
        var timestamp: String
        var interval: String
        var node: String
        var total: JSONText
        var energy: JSONText
        var congestion: JSONText
        var losses: JSONText
        var lmpDirection: String
        var mwh: JSONText
        var transactionDirection: String

        var json: JSONText {
            .object([
                ("timestamp", .string(timestamp)),
                ("interval", .string(interval)),
                ("node", .string(node)),
                ("forecastedLMP", .object([
                    ("total", total),
                    ("components", .object([("energy", energy), ("congestion", congestion), ("losses", losses)])),
                    ("direction", .string(lmpDirection)),
                ])),
                ("transactionVolume", .object([("mwh", mwh), ("direction", .string(transactionDirection))])),
            ])
        }
    }

    var records: [Record]
    var operatingDay: String
    var retrievalTimestamp: String
    var dataQuality: String
    var includesMetadata = true

    static let intervalsPerDay = 288

    static func nodeName(_ index: Int) -> String { "MISO.PJM.INTERFACE\(index)" }

    /// The day's records, interval by interval and node by node, narrowed by the optional filters.
    /// `intervalMinutes` is minutes after midnight; an unknown `node` gives no records.
    init(day: OperatingDay, today: OperatingDay, nodes: Int, seed: UInt64, intervalMinutes: Int? = nil, node: String? = nil) {
        let (minutes, nodeIndexes) = Self.selection(nodes: nodes, intervalMinutes: intervalMinutes, node: node)
        var records: [Record] = []
        records.reserveCapacity(minutes.count * nodeIndexes.count)
        for minute in minutes {
            for index in nodeIndexes {
                records.append(CTSDocumentedPayload.record(day: day, minute: minute, nodeIndex: index, seed: seed))
            }
        }
        self.init(records: records, day: day, today: today)
    }

    private init(records: [Record], day: OperatingDay, today: OperatingDay) {
        self.records = records
        operatingDay = day.iso
        retrievalTimestamp = "\(day.iso)T00:00:00-05:00"
        dataQuality = day < today ? "VALIDATED" : "FORECAST"
    }

    /// The intervals (minutes after midnight) and node indexes a request selects, in body order.
    private static func selection(nodes: Int, intervalMinutes: Int?, node: String?) -> (minutes: [Int], nodeIndexes: [Int]) {
        let minutes = intervalMinutes.map { [$0] } ?? Array(stride(from: 0, to: 24 * 60, by: 5))
        let nodeIndexes = (1...max(1, nodes)).filter { node == nil || CTSDocumentedPayload.nodeName($0) == node }
        return (minutes, nodeIndexes)
    }

    /// The same bytes as `CTSDocumentedPayload(...).json.serialized` (no fault applied), handed to
    /// `emit` in pieces of about `pieceBytes` as the records are generated, so a large body goes out
    /// while the rest is still being made instead of after all of it.
    static func streamJSON(day: OperatingDay, today: OperatingDay, nodes: Int, seed: UInt64, intervalMinutes: Int?,
                           node: String?, pieceBytes: Int = 64 * 1024, emit: (String) throws -> Void) rethrows {
        let (minutes, nodeIndexes) = selection(nodes: nodes, intervalMinutes: intervalMinutes, node: node)
        var out = "{\"data\":["
        var first = true
        for minute in minutes {
            for index in nodeIndexes {
                if !first { out += "," }
                first = false
                record(day: day, minute: minute, nodeIndex: index, seed: seed).json.write(into: &out)
                if out.utf8.count >= pieceBytes {
                    try emit(out)
                    out = ""
                }
            }
        }
        out += "],\"metadata\":"
        CTSDocumentedPayload(records: [], day: day, today: today).metadataJSON.write(into: &out)
        out += "}"
        try emit(out)
    }

    /// Typical hour-of-day energy price shape, in cents.
    private static let hourlyEnergyShape = [
        -600, -800, -900, -900, -700, -200, 500, 1100, 1300, 1200, 1000, 900,
        800, 800, 900, 1200, 1700, 2200, 2000, 1500, 1000, 500, 0, -400,
    ]

    static func record(day: OperatingDay, minute: Int, nodeIndex: Int, seed: UInt64) -> Record {
        let node = nodeName(nodeIndex)
        let interval = ClockText.hhmm(minute)
        var random = SeededRandom(seed: seed, key: "cts|\(day.iso)|\(interval)|\(node)")
        let energy = 3000 + hourlyEnergyShape[minute / 60] + random.int(in: 0...1500)
        let congestion = random.int(in: -500...1000)
        let losses = random.int(in: -200...300)
        let lmpDirection = congestion > 50 ? "export" : congestion < -50 ? "import" : "neutral"
        let mwh = lmpDirection == "neutral" ? random.int(in: 0...200) : random.int(in: 0...5000)
        let transactionDirection = mwh == 0 || lmpDirection == "neutral" ? "BALANCED"
            : lmpDirection == "export" ? "MISO_TO_PJM" : "PJM_TO_MISO"
        return Record(
            timestamp: "\(day.iso)T\(interval):00-05:00", interval: interval, node: node,
            total: .number(Decimal2.cents(energy + congestion + losses)),
            energy: .number(Decimal2.cents(energy)), congestion: .number(Decimal2.cents(congestion)),
            losses: .number(Decimal2.cents(losses)), lmpDirection: lmpDirection,
            mwh: .number(Decimal2.tenths(mwh)), transactionDirection: transactionDirection)
    }

    /// Breaks exactly one validation rule (in the middle record where the rule is per record).
    mutating func apply(_ fault: SimulatorFault, day: OperatingDay) {
        let target = records.count / 2
        let hasRecord = !records.isEmpty
        switch fault {
        case .badStructure: includesMetadata = false
        case .badQuality: dataQuality = "GUESSED"
        case .wrongDay: operatingDay = day.adding(days: 1).iso
        case .badArithmetic where hasRecord:
            if case .number(let total) = records[target].total, let cents = Self.cents(total) {
                records[target].total = .number(Decimal2.cents(cents + 100))
            }
        case .badInterval where hasRecord:
            records[target].interval = String(records[target].interval.prefix(3)) + "37"
        case .badLMPDirection where hasRecord: records[target].lmpDirection = "sideways"
        case .badTransactionDirection where hasRecord: records[target].transactionDirection = "NORTH_TO_SOUTH"
        case .nonNumeric where hasRecord: records[target].energy = .string("abc")
        case .negativeVolume where hasRecord:
            if case .number(let mwh) = records[target].mwh {
                records[target].mwh = .number("-" + (mwh == "0.0" ? "12.5" : mwh))
            }
        default: break
        }
    }

    private static func cents(_ literal: String) -> Int? {
        let negative = literal.hasPrefix("-")
        let parts = literal.drop { $0 == "-" }.split(separator: ".")
        guard parts.count == 2, let whole = Int(parts[0]), let fraction = Int(parts[1]) else { return nil }
        return (negative ? -1 : 1) * (whole * 100 + fraction)
    }

    /// The `data` array's elements, serialised and joined by commas (used to build the huge body).
    var serializedRecords: String {
        var out = ""
        for (index, record) in records.enumerated() {
            if index > 0 { out += "," }
            record.json.write(into: &out)
        }
        return out
    }

    var metadataJSON: JSONText {
        .object([
            ("operatingDay", .string(operatingDay)),
            ("retrievalTimestamp", .string(retrievalTimestamp)),
            ("dataQuality", .string(dataQuality)),
        ])
    }

    var json: JSONText {
        var members: [(String, JSONText)] = [("data", .array(records.map(\.json)))]
        if includesMetadata { members.append(("metadata", metadataJSON)) }
        return .object(members)
    }
}
