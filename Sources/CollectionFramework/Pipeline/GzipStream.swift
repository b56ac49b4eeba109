import CZlib
import Foundation

/// Compresses a payload into one gzip member piece by piece, as its chunks arrive (header mtime
/// 0, so equal input gives equal output, byte for byte the same as ``Gzip/compress(_:level:)``).
///
/// One stream belongs to one task: it is not `Sendable`. zlib keeps a pointer back to its
/// `z_stream`, so the stream lives at a fixed address allocated here.
final class GzipStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: Data
    private var produced = 0
    private var finished = false

    /// - Parameters:
    ///   - level: zlib level 0-9.
    ///   - expectedInput: the input size when known, to size the output buffer (a quarter of it).
    init(level: Int, expectedInput: Int? = nil) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard scraper_deflate_init_gzip(stream, Int32(level)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError.failed("deflateInit2 refused level \(level) (use 0-9)")
        }
        output = Data(count: (expectedInput ?? 0) / 4 + (64 << 10))
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses the next chunk of input.
    func append(_ chunk: Data) throws {
        precondition(!finished, "GzipStream.append after finish")
        try chunk.withUnsafeBytes { input in
            _ = try run(input, flush: Z_NO_FLUSH)
        }
    }

    /// Ends the member and returns the whole gzip body.
    func finish() throws -> Data {
        precondition(!finished, "GzipStream.finish twice")
        finished = true
        let status = try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        guard status == Z_STREAM_END else { throw GzipError.failed("deflate ended with status \(status)") }
        output.count = produced
        return output
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32) throws -> Int32 {
        stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.pointee.avail_in = uInt(input.count)
        var status: Int32 = Z_OK
        repeat {
            if produced == output.count { output.count = max(output.count * 2, produced + (64 << 10)) }
            status = output.withUnsafeMutableBytes { out -> Int32 in
                stream.pointee.next_out = out.bindMemory(to: Bytef.self).baseAddress! + produced
                stream.pointee.avail_out = uInt(out.count - produced)
                let status = deflate(stream, flush)
                produced = out.count - Int(stream.pointee.avail_out)
                return status
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw GzipError.failed("deflate failed with status \(status)")
            }
        } while (stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0) && status != Z_STREAM_END
        return status
    }
}
