import CZlib
import Foundation

/// gzip compression and decompression with zlib, in one pass over the input (compression in
/// 1 MiB steps that can be stopped between them).
public enum Gzip {
    /// The level used unless configured (zlib's default balance of speed and size).
    public static let defaultLevel = 6

    /// Compresses `data` into a gzip member (header mtime 0, so equal input gives equal output).
    public static func compress(_ data: Data, level: Int = defaultLevel) throws -> Data {
        // Never stopped, so never nil.
        try compress(data, level: level, unless: { false }) ?? Data()
    }

    /// Input handed to zlib per call when compressing in steps: small enough that a stop request
    /// is noticed within milliseconds, large enough that the calls cost nothing measurable.
    static let stepBytes = 1 << 20

    /// Compresses `data` like ``compress(_:level:)``, in steps of ``stepBytes`` of input, asking
    /// `stop` between steps; returns nil as soon as it answers true (the work so far is dropped).
    ///
    /// The output buffer starts at a guess of the compressed size rather than zlib's worst-case
    /// bound (the input size and then some), so a large payload does not reserve a second copy of
    /// itself; it grows if the guess was short.
    public static func compress(_ data: Data, level: Int = defaultLevel, unless stop: () -> Bool) throws -> Data? {
        var stream = z_stream()
        guard scraper_deflate_init_gzip(&stream, Int32(level)) == Z_OK else {
            throw GzipError.failed("deflateInit2 refused level \(level) (use 0-9)")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count))) + 32
        var output = Data(count: min(bound, data.count / 4 + (64 << 10)))
        var produced = 0
        let status: Int32 = try data.withUnsafeBytes { input -> Int32 in
            let start = input.bindMemory(to: Bytef.self).baseAddress
            var consumed = 0
            while true {
                if stop() { return Z_ERRNO }
                let step = min(stepBytes, input.count - consumed)
                stream.next_in = start.map { UnsafeMutablePointer(mutating: $0 + consumed) }
                stream.avail_in = uInt(step)
                consumed += step
                let flush = consumed == input.count ? Z_FINISH : Z_NO_FLUSH
                var status: Int32
                repeat {
                    if produced == output.count { output.count = max(output.count * 2, produced + (64 << 10)) }
                    status = output.withUnsafeMutableBytes { out -> Int32 in
                        stream.next_out = out.bindMemory(to: Bytef.self).baseAddress! + produced
                        stream.avail_out = uInt(out.count - produced)
                        let status = deflate(&stream, flush)
                        produced = out.count - Int(stream.avail_out)
                        return status
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw GzipError.failed("deflate failed with status \(status)")
                    }
                } while stream.avail_out == 0 && status != Z_STREAM_END
                if flush == Z_FINISH { return status }
            }
        }
        if status == Z_ERRNO { return nil }
        guard status == Z_STREAM_END else { throw GzipError.failed("deflate ended with status \(status)") }
        output.count = produced
        return output
    }

    /// zlib's deflate called once over the whole input into a worst-case-sized buffer: the
    /// benchmark's "zlib alone" floor, which the pipeline's compressor is measured against.
    package static func compressOneShot(_ data: Data, level: Int = defaultLevel) throws -> Data {
        var stream = z_stream()
        guard scraper_deflate_init_gzip(&stream, Int32(level)) == Z_OK else {
            throw GzipError.failed("deflateInit2 refused level \(level) (use 0-9)")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count))) + 32
        var output = Data(count: bound)
        let status: Int32 = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw GzipError.failed("deflate ended with status \(status)") }
        output.count = Int(stream.total_out)
        return output
    }

    /// Decompresses a gzip member; refuses output beyond `limit` bytes.
    public static func decompress(_ data: Data, limit: Int = 1 << 31) throws -> Data {
        var stream = z_stream()
        guard scraper_inflate_init_gzip(&stream) == Z_OK else { throw GzipError.failed("inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBytes { out in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw GzipError.failed("not valid gzip data (inflate status \(status))")
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { throw GzipError.failed("decompressed data exceeds \(limit) bytes") }
                if produced == 0 && stream.avail_in == 0 && status != Z_STREAM_END {
                    throw GzipError.failed("gzip data is truncated")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}

/// Compression failures.
public enum GzipError: Error, Equatable, CustomStringConvertible {
    case failed(String)
    public var description: String {
        switch self { case .failed(let m): return "gzip: \(m)" }
    }
}
