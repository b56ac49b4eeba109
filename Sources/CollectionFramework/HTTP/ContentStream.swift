import BlockingIO
import Foundation

/// A payload's bytes as they arrive: what ``Collector/collect(_:using:)`` returns and what the
/// pipeline hashes, compresses and validates chunk by chunk.
///
/// Three sources:
/// - a response body streaming from the network (``HTTPStreamingResponse/body``);
/// - bytes already in memory (`ContentStream(data)`), handed out in steps of `chunkSize`;
/// - any other `AsyncSequence` of `Data` (`ContentStream(sequence)`), e.g. a ZIP member being read.
///
/// Iterate it once. A consumer that stops early calls ``cancel()`` so that a network transfer
/// behind it is abandoned instead of waiting for a reader.
public struct ContentStream: AsyncSequence, Sendable {
    public typealias Element = Data

    /// The total size when known in advance (a `Content-Length`, bytes in memory), for reserving buffers.
    public let expectedLength: Int?
    private let source: Source

    private enum Source: Sendable {
        case data(Data, chunkSize: Int)
        case channel(ByteChannel)
        case sequence(@Sendable () -> AsyncIterator.Producer)
    }

    /// The bytes of `data`, in steps of `chunkSize`.
    public init(_ data: Data, chunkSize: Int = 1 << 20) {
        expectedLength = data.count
        source = .data(data, chunkSize: data.isEmpty ? 1 : Swift.max(1, chunkSize))
    }

    /// The chunks a pool thread pushes into `channel` (see ``ByteChannel``).
    public init(channel: ByteChannel, expectedLength: Int? = nil) {
        self.expectedLength = expectedLength
        source = .channel(channel)
    }

    /// The chunks of any sendable async sequence of `Data`.
    public init<S: AsyncSequence & Sendable>(_ sequence: S, expectedLength: Int? = nil) where S.Element == Data {
        self.expectedLength = expectedLength
        source = .sequence {
            let box = IteratorBox(sequence.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .data(let data, let chunkSize): return AsyncIterator(state: .data(data, offset: data.startIndex, chunkSize: chunkSize))
        case .channel(let channel): return AsyncIterator(state: .channel(channel))
        case .sequence(let make): return AsyncIterator(state: .producer(make()))
        }
    }

    /// The whole payload when it is already in memory (no transfer behind the stream), so a
    /// reader can take it without copying it chunk by chunk.
    public var inMemoryData: Data? {
        if case .data(let data, _) = source { return data }
        return nil
    }

    /// Abandons the stream: a network transfer behind it stops at its next chunk.
    public func cancel() {
        if case .channel(let channel) = source { channel.close() }
    }

    /// Reads the whole stream into memory, refusing more than `limit` bytes.
    public func collect(limit: Int = .max) async throws -> Data {
        var data = Data()
        if let expectedLength, expectedLength <= limit { data.reserveCapacity(expectedLength) }
        do {
            for try await chunk in self {
                guard data.count + chunk.count <= limit else {
                    throw ContentStreamError.tooLarge(limit: limit)
                }
                data.append(chunk)
            }
        } catch {
            cancel()
            throw error
        }
        return data
    }

    /// Reads at most `limit` bytes (an error body, for its excerpt), then abandons the rest of the
    /// stream; a transfer error ends it early with what was read.
    public func leadingBytes(_ limit: Int) async -> Data {
        var data = Data()
        do {
            for try await chunk in self {
                data.append(chunk.prefix(limit - data.count))
                if data.count >= limit { break }
            }
        } catch {}
        cancel()
        return data
    }

    /// Hands out one stream's chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        typealias Producer = () async throws -> Data?

        enum State {
            case data(Data, offset: Data.Index, chunkSize: Int)
            case channel(ByteChannel)
            case producer(Producer)
        }

        var state: State

        public mutating func next() async throws -> Data? {
            switch state {
            case .data(let data, let offset, let chunkSize):
                guard offset < data.endIndex else { return nil }
                let end = data.index(offset, offsetBy: chunkSize, limitedBy: data.endIndex) ?? data.endIndex
                state = .data(data, offset: end, chunkSize: chunkSize)
                return data[offset..<end]
            case .channel(let channel):
                return try await channel.next()
            case .producer(let next):
                return try await next()
            }
        }
    }
}

/// Keeps a wrapped sequence's iterator (a mutable value) where a closure can advance it.
private final class IteratorBox<Base: AsyncIteratorProtocol> where Base.Element == Data {
    var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> Data? { try await base.next() }
}

/// Why reading a stream stopped.
public enum ContentStreamError: Error, Equatable, CustomStringConvertible {
    /// More bytes arrived than the reader accepts.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .tooLarge(let limit): return "the payload exceeded \(limit) bytes"
        }
    }
}
