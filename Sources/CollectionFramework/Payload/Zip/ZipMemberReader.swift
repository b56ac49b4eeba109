import CZlib
import Foundation

/// Reads one ZIP member's uncompressed bytes a piece at a time: stored data is copied, DEFLATE data
/// is inflated (raw, as ZIP holds it). The CRC-32 is computed as the bytes go by and compared with
/// the recorded one at the end; data that stops before its end is ``ZipError/truncated(member:)``.
public struct ZipMemberReader {
    public let member: ZipArchive.Member
    private let archive: Data
    private var inflater: RawInflater?
    private var position: Int
    private var crc: UInt = 0
    private var produced = 0
    private var finished = false

    public init(archive: Data, member: ZipArchive.Member) {
        self.archive = archive
        self.member = member
        position = member.dataOffset
    }

    /// The next piece of at most `maxBytes` bytes, or nil at the member's end.
    public mutating func next(maxBytes: Int = 1 << 16) throws(ZipError) -> Data? {
        guard !finished else { return nil }
        let piece: Data
        switch member.method {
        case 0:
            guard let size = member.compressedSize ?? member.uncompressedSize else {
                throw ZipError.corruptMember(member: member.name, reason: "a stored member without a recorded size")
            }
            let end = member.dataOffset + size
            guard end <= archive.count else { throw ZipError.truncated(member: member.name) }
            let upTo = min(end, position + maxBytes)
            piece = archive.subdata(in: (archive.startIndex + position)..<(archive.startIndex + upTo))
            position = upTo
            if position == end { finished = true }
        case 8:
            if inflater == nil { inflater = try RawInflater(member: member.name) }
            let available = archive.count - position
            let (out, consumed, ended) = try inflater!.inflate(archive, from: position, count: available, maxOutput: maxBytes)
            position += consumed
            piece = out
            if ended {
                finished = true
            } else if out.isEmpty, consumed == 0 {
                throw ZipError.truncated(member: member.name)
            }
        default:
            throw ZipError.unsupportedMethod(member: member.name, method: member.method)
        }
        produced += piece.count
        piece.withUnsafeBytes { raw in
            crc = CZlib.crc32(crc, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count))
        }
        if finished {
            if let expected = member.crc32, UInt32(truncatingIfNeeded: crc) != expected {
                throw ZipError.corruptMember(member: member.name, reason: String(format: "CRC-32 %08x, the archive records %08x", UInt32(truncatingIfNeeded: crc), expected))
            }
            if let size = member.uncompressedSize, size != produced {
                throw ZipError.corruptMember(member: member.name, reason: "\(produced) bytes, the archive records \(size)")
            }
        }
        return piece.isEmpty && finished ? nil : piece
    }

    /// Length of the DEFLATE stream starting at `offset` (found by inflating it), or nil when it
    /// does not end inside `data`.
    static func deflateLength(_ data: Data, from offset: Int) -> Int? {
        guard let inflater = try? RawInflater(member: "") else { return nil }
        var position = offset
        while position < data.count {
            guard let (_, consumed, ended) = try? inflater.inflate(data, from: position, count: data.count - position, maxOutput: 1 << 16)
            else { return nil }
            position += consumed
            if ended { return position - offset }
            if consumed == 0 { return nil }
        }
        return nil
    }
}

/// zlib's inflate for raw DEFLATE data, ended when released.
final class RawInflater {
    private var stream = z_stream()
    private let member: String

    init(member: String) throws(ZipError) {
        self.member = member
        guard scraper_inflate_init_raw(&stream) == Z_OK else {
            throw ZipError.corruptMember(member: member, reason: "zlib could not start inflating")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates from `data[offset...]` until `maxOutput` bytes come out, the input runs out or the
    /// stream ends; returns the output, the input bytes used and whether the stream ended.
    func inflate(_ data: Data, from offset: Int, count: Int, maxOutput: Int) throws(ZipError) -> (Data, Int, Bool) {
        var output = Data(count: max(1, maxOutput))
        var status: Int32 = Z_OK
        var consumed = 0, written = 0
        data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress! + offset)
                stream.avail_in = uInt(count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed = count - Int(stream.avail_in)
                written = out.count - Int(stream.avail_out)
            }
        }
        guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && consumed == 0 && written == 0) else {
            throw ZipError.corruptMember(member: member, reason: "the DEFLATE data is invalid (zlib status \(status))")
        }
        output.count = written
        return (output, consumed, status == Z_STREAM_END)
    }
}

/// A ZIP member's uncompressed bytes as an async sequence of chunks: what a collector hands the
/// pipeline (`ContentStream(archive.chunks(of: member))`) so that hashing, gzip and validation run
/// as the member inflates.
public struct ZipMemberChunks: AsyncSequence, Sendable {
    public typealias Element = Data
    let archive: Data
    let member: ZipArchive.Member
    let chunkSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        var reader: ZipMemberReader
        let chunkSize: Int
        public mutating func next() async throws -> Data? {
            try reader.next(maxBytes: chunkSize)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: ZipMemberReader(archive: archive, member: member), chunkSize: Swift.max(1, chunkSize))
    }
}
