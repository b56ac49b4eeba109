import Foundation
import LoopbackHTTP

/// The `huge` fault's body: a valid documented CTS document of about 64 MiB, streamed with a truthful
/// `Content-Length`, made by repeating one full day's records.
enum HugePayload {
    static let targetBytes = 64 * 1024 * 1024

    static func response(today: OperatingDay, nodes: Int, seed: UInt64) -> LoopbackHTTPResponse {
        let day = CTSDocumentedPayload(day: today, today: today, nodes: nodes, seed: seed)
        let block = Data(day.serializedRecords.utf8)
        let prefix = Data("{\"data\":[".utf8)
        let suffix = Data("],\"metadata\":\(day.metadataJSON.serialized)}".utf8)
        let repeats = max(1, targetBytes / (block.count + 1))
        let length = prefix.count + repeats * block.count + (repeats - 1) + suffix.count
        let comma = Data(",".utf8)
        return LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "application/json; charset=utf-8")],
                                    body: .stream(declaredLength: length) { writer in
            try writer.write(prefix)
            for index in 0..<repeats {
                if index > 0 { try writer.write(comma) }
                try writer.write(block)
            }
            try writer.write(suffix)
        })
    }
}
