import CZlib
import Foundation

/// Writes a ZIP archive in memory: DEFLATE members, local headers, central directory, end record,
/// as NYISO's monthly archives and CAISO's SingleZip answers are. ``Breakage`` makes the broken
/// archives the ISOs have been seen to send.
struct ZipWriter {
    /// How to break the archive (faults `zip-truncated`, `zip-bad-central-directory`).
    enum Breakage {
        case none
        /// Cut to about 60% of its length.
        case truncated
        /// Every central entry's compressed size and local-header offset are wrong; the local headers are right.
        case badCentralDirectory
    }

    private var local = Data()
    private var central = Data()
    private var count = 0
    private var breakage: Breakage

    init(breakage: Breakage = .none) {
        self.breakage = breakage
    }

    mutating func add(_ name: String, _ content: Data) {
        let compressed = Self.deflate(content)
        let crc = content.withUnsafeBytes { raw in UInt32(crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count))) }
        let nameBytes = Data(name.utf8)
        let offset = UInt32(local.count)
        // Local header: signature, version 20, flags 0, method 8, time/date, crc, sizes, name, no extra.
        local.append(le32(0x0403_4b50)); local.append(le16(20)); local.append(le16(0)); local.append(le16(8))
        local.append(le16(0)); local.append(le16(0x5A21))
        local.append(le32(crc)); local.append(le32(UInt32(compressed.count))); local.append(le32(UInt32(content.count)))
        local.append(le16(UInt16(nameBytes.count))); local.append(le16(0))
        local.append(nameBytes); local.append(compressed)
        let wrongSize = breakage == .badCentralDirectory ? UInt32(compressed.count + 13) : UInt32(compressed.count)
        let wrongOffset = breakage == .badCentralDirectory ? offset + 7 : offset
        central.append(le32(0x0201_4b50)); central.append(le16(20)); central.append(le16(20)); central.append(le16(0)); central.append(le16(8))
        central.append(le16(0)); central.append(le16(0x5A21))
        central.append(le32(crc)); central.append(le32(wrongSize)); central.append(le32(UInt32(content.count)))
        central.append(le16(UInt16(nameBytes.count))); central.append(le16(0)); central.append(le16(0))
        central.append(le16(0)); central.append(le16(0)); central.append(le32(0)); central.append(le32(wrongOffset))
        central.append(nameBytes)
        count += 1
    }

    /// The archive's bytes.
    func finish() -> Data {
        var out = local
        out.append(central)
        out.append(le32(0x0605_4b50)); out.append(le16(0)); out.append(le16(0))
        out.append(le16(UInt16(count))); out.append(le16(UInt16(count)))
        out.append(le32(UInt32(central.count))); out.append(le32(UInt32(local.count))); out.append(le16(0))
        return breakage == .truncated ? out.prefix(out.count * 6 / 10) : out
    }

    private func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
    private func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]) }

    /// Raw DEFLATE of `data`.
    static func deflate(_ data: Data) -> Data {
        var stream = z_stream()
        guard scraper_deflate_init_raw(&stream, 6) == Z_OK else { return Data() }
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(data.count))) + 64)
        var written = 0
        data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                _ = CZlib.deflate(&stream, Z_FINISH)
                written = out.count - Int(stream.avail_out)
            }
        }
        output.count = written
        return output
    }
}
