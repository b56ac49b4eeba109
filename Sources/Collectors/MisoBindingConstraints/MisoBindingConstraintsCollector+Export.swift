import CollectionFramework
import Foundation

/// `scraper export` for binding constraints: one row per binding constraint of a snapshot; the
/// "nothing binding" form gives no rows.
extension MisoBindingConstraintsCollector: RowExporting {
    public static let exportColumns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "start of the interval RefId names, UTC"),
        ExportColumn("interval_start_miso", "the same in MISO time (EST, UTC-05:00)"),
        ExportColumn("constraint", "constraint name"),
        ExportColumn("period_utc", "the constraint's Period, UTC"),
        ExportColumn("price", "shadow price, $/MWh"),
        ExportColumn("override", "OVERRIDE"),
        ExportColumn("curve_type", "CURVETYPE"),
        ExportColumn("breakpoints", "BPn/PCn pairs in order, e.g. BP1=100;PC1=10"),
        ExportColumn("ref_id", "RefId"),
    ]

    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        let root = try MisoExportPayload.parse(payload, source: source)
        let refText = root["RefId"]?.string
        guard let refText, let refId = MisoTimeText.parseRefId(refText),
              let start = MisoExportTime.instant(day: refId.date, hourMinute: refId.interval),
              let constraints = root["Constraint"]?.array else {
            throw ExportError.unreadablePayload(key: source.key, reason: "not a binding-constraints payload (RefId and Constraint)")
        }
        let rows = constraints.compactMap { element -> ExportRow? in
            guard let name = element["Name"]?.string, name != "None" else { return nil }
            let period = element["Period"]?.string.flatMap(MisoTimeText.parseISOLocalTime).flatMap(MisoExportTime.instant)
            let breakpoints = (element.members ?? []).filter { MisoBindingConstraintsValidator.isBreakpointField($0.key) }
                .sorted { Self.breakpointOrder($0.key) < Self.breakpointOrder($1.key) }
                .map { "\($0.key)=\($0.value.string ?? "")" }.joined(separator: ";")
            return ExportRow(identity: MisoExportTime.utc(start) + "|" + name, values: [
                "interval_start_utc": .text(MisoExportTime.utc(start)),
                "interval_start_miso": .text(MisoExportTime.misoTime(start)),
                "constraint": .text(name),
                "period_utc": .text(period.map(MisoExportTime.utc)),
                "price": .number(MisoExportPayload.decimal(element["Price"])),
                "override": .text(element["OVERRIDE"]?.string),
                "curve_type": .text(element["CURVETYPE"]?.string),
                "breakpoints": .text(breakpoints),
                "ref_id": .text(refText),
            ])
        }
        return ExportedPayload(collectedAt: MisoExportTime.snapshotTime(identifier: source.identifier), rows: rows)
    }

    /// `BP2` before `PC2` before `BP10`: by number, then BP before PC.
    private static func breakpointOrder(_ key: String) -> (Int, Int) {
        (Int(key.dropFirst(2)) ?? 0, key.hasPrefix("BP") ? 0 : 1)
    }
}
