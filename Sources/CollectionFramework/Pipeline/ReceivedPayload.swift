import Crypto
import Foundation

/// One payload taken in from its ``ContentStream``: the raw bytes, their SHA-256, and a gzip
/// body being produced beside them by a child task.
struct ReceivedPayload {
    var content: Data
    var sha256: String
}

/// Reads a candidate's stream chunk by chunk: each chunk is appended to the raw bytes, fed to
/// SHA-256 at once and handed to a compression task that runs beside the download (and beside
/// validation afterwards), so neither hashing nor gzip waits for the last byte.
enum PayloadIntake {
    /// Reads `stream` to its end, feeding `compression` with every chunk and `validator` (when the
    /// collector has one that streams) too. Returns the payload, or the streaming validator's
    /// early refusal with the bytes read so far.
    static func read(_ stream: ContentStream, into compression: AsyncStream<Data>.Continuation,
                     validator: inout (any StreamingValidator)?) async throws -> (ReceivedPayload, ValidationFailure?) {
        var hasher = SHA256()
        // A payload already in memory is not copied: its chunks are slices of it. (A response's
        // size is capped by the HTTP client while it downloads.)
        let inMemory = stream.inMemoryData
        var content = inMemory ?? Data()
        if inMemory == nil, let expected = stream.expectedLength { content.reserveCapacity(expected) }
        var refusal: ValidationFailure?
        do {
            for try await chunk in stream {
                if inMemory == nil { content.append(chunk) }
                hasher.update(data: chunk)
                compression.yield(chunk)
                if validator != nil, let failure = validator!.consume(chunk) {
                    refusal = failure
                    stream.cancel()
                    break
                }
            }
        } catch {
            compression.finish()
            stream.cancel()
            throw error
        }
        compression.finish()
        return (ReceivedPayload(content: content, sha256: ContentHash.hex(hasher.finalize())), refusal)
    }

    /// Compresses the chunks of `input` as they come; nil when the task was cancelled first (the
    /// payload was refused or is already stored).
    static func compress(_ input: AsyncStream<Data>, level: Int, expectedInput: Int?) async throws -> Data? {
        let gzip = try GzipStream(level: level, expectedInput: expectedInput)
        for await chunk in input {
            if Task.isCancelled { return nil }
            try gzip.append(chunk)
        }
        if Task.isCancelled { return nil }
        return try gzip.finish()
    }
}
