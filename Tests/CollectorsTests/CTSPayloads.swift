import CollectionFramework
import Foundation

/// Builds CTS payloads of both shapes for tests, with any field replaced or removed.
enum CTSPayloads {
    /// One documented-shape record; every argument can be replaced by a wrong value.
    static func record(timestamp: JSONValue? = .string("2025-01-20T09:00:00-05:00"), interval: JSONValue? = .string("09:00"),
                       node: JSONValue? = .string("MISO.PJM.INTERFACE1"), total: JSONValue? = .double(45.5),
                       energy: JSONValue? = .double(42), congestion: JSONValue? = .double(2.5), losses: JSONValue? = .double(1),
                       lmpDirection: JSONValue? = .string("export"), mwh: JSONValue? = .double(250.5),
                       transactionDirection: JSONValue? = .string("MISO_TO_PJM")) -> JSONValue {
        var components = JSONObject()
        components["energy"] = energy
        components["congestion"] = congestion
        components["losses"] = losses
        var lmp = JSONObject()
        lmp["total"] = total
        lmp["components"] = .object(components)
        lmp["direction"] = lmpDirection
        var volume = JSONObject()
        volume["mwh"] = mwh
        volume["direction"] = transactionDirection
        var record = JSONObject()
        record["timestamp"] = timestamp
        record["interval"] = interval
        record["node"] = node
        record["forecastedLMP"] = .object(lmp)
        record["transactionVolume"] = .object(volume)
        return .object(record)
    }

    /// A documented-shape payload.
    static func documented(_ records: [JSONValue] = [record(), record(interval: .string("09:05"))],
                           operatingDay: JSONValue? = .string("2025-01-20"), dataQuality: JSONValue? = .string("FORECAST")) -> Data {
        var metadata = JSONObject()
        metadata["operatingDay"] = operatingDay
        metadata["retrievalTimestamp"] = .string("2025-01-20T09:12:00-05:00")
        metadata["dataQuality"] = dataQuality
        return data(.object(["data": .array(records), "metadata": .object(metadata)]))
    }

    /// One live-shape entry.
    static func liveEntry(approval: JSONValue? = .string("2026-07-27 8:04:09 AM"), solution: JSONValue? = .string("2026-07-27 8:00:00 AM"),
                          price: JSONValue? = .string("45.73")) -> JSONValue {
        var entry = JSONObject()
        entry["CASEAPPROVALDATE"] = approval
        entry["SOLUTIONTIME"] = solution
        entry["PJMFORECASTEDLMP"] = price
        return .object(entry)
    }

    /// A live-shape payload.
    static func live(refId: JSONValue? = .string("27-Jul-2026 - Interval 08:00 EST"),
                     entries: [JSONValue] = [liveEntry(), liveEntry(solution: .string("2026-07-27 8:15:00 AM"), price: .string("-1.91"))]) -> Data {
        var root = JSONObject()
        root["RefId"] = refId
        root["Interval"] = .array(entries)
        return data(.object(root))
    }

    static func data(_ value: JSONValue) -> Data { Data(value.serialized().utf8) }

    /// A documented-shape payload of about `bytes` bytes (for speed checks).
    static func largeDocumented(bytes: Int) -> Data {
        var out = #"{"data": ["#
        var i = 0
        while out.utf8.count < bytes {
            if i > 0 { out += ", " }
            let minute = (i % 288) * 5
            let interval = String(format: "%02d:%02d", minute / 60, minute % 60)
            let energy = Double(i % 5000) / 100
            out += #"{"timestamp": "2025-01-20T\#(interval):00-05:00", "interval": "\#(interval)", "node": "MISO.PJM.INTERFACE\#(i % 400)", "#
            out += #""forecastedLMP": {"total": \#(energy + 3.5), "components": {"energy": \#(energy), "congestion": 2.5, "losses": 1.0}, "direction": "export"}, "#
            out += #""transactionVolume": {"mwh": \#(Double(i % 1000) + 0.5), "direction": "MISO_TO_PJM"}}"#
            i += 1
        }
        out += #"], "metadata": {"operatingDay": "2025-01-20", "retrievalTimestamp": "2025-01-20T09:12:00-05:00", "dataQuality": "FORECAST"}}"#
        return Data(out.utf8)
    }
}
