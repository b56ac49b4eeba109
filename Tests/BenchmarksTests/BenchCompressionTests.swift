import Benchmarks
@testable import CollectionFramework
import XCTest

/// The pipeline's stepwise and streamed gzip, and the intake that hashes and compresses each chunk as it arrives.
final class BenchCompressionTests: XCTestCase {
    /// Bytes that compress somewhat (like JSON) without being trivially repetitive.
    func sample(_ count: Int) -> Data {
        var state: UInt64 = 0x1234_5678
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(ascii: "a") + UInt8(truncatingIfNeeded: state >> 60)
        }
        return Data(bytes)
    }

    func testStepwiseCompressionRoundTripsAcrossStepBoundaries() throws {
        let step = Gzip.stepBytes
        for count in [0, 1, 100, step - 1, step, step + 1, 3 * step + 12_345] {
            let input = sample(count)
            for level in [1, 6, 9] {
                let gz = try Gzip.compress(input, level: level)
                XCTAssertEqual(Array(gz.prefix(2)), [0x1f, 0x8b], "gzip magic (\(count) bytes)")
                XCTAssertEqual(try Gzip.decompress(gz), input, "\(count) bytes at level \(level)")
                XCTAssertEqual(try Gzip.compress(input, level: level), gz, "deterministic")
            }
        }
    }

    func testIncompressibleInputOutgrowsTheFirstGuessOfTheOutputSize() throws {
        var state: UInt64 = 42
        let noise = Data((0..<(2 << 20)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        })
        let gz = try Gzip.compress(noise, level: 6)
        XCTAssertGreaterThan(gz.count, noise.count, "random bytes do not shrink")
        XCTAssertEqual(try Gzip.decompress(gz), noise)
        XCTAssertEqual(try Gzip.decompress(try Gzip.compressOneShot(noise)), noise)
    }

    func testLevelStaysConfigurableAndBadLevelsAreNamed() throws {
        let input = sample(500_000)
        let fast = try Gzip.compress(input, level: 1), small = try Gzip.compress(input, level: 9)
        XCTAssertNotEqual(fast, small)
        XCTAssertThrowsError(try Gzip.compress(input, level: 12)) { error in
            XCTAssertTrue("\(error)".contains("level 12"), "\(error)")
        }
    }

    func testAStopRequestAbandonsTheCompressionBetweenSteps() throws {
        let input = sample(4 * Gzip.stepBytes)
        var asked = 0
        let result = try Gzip.compress(input, level: 6, unless: {
            asked += 1
            return asked > 2
        })
        XCTAssertNil(result)
        XCTAssertEqual(asked, 3, "asked before each step, stopped at the third")
        XCTAssertNotNil(try Gzip.compress(input, level: 6, unless: { false }))
    }

    /// Feeds `input` to a ``GzipStream`` in pieces of `chunk` bytes.
    func streamed(_ input: Data, chunk: Int, level: Int = 6, announce: Bool) throws -> Data {
        let gzip = try GzipStream(level: level, expectedInput: announce ? input.count : nil)
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunk)
            try gzip.append(input.subdata(in: offset..<end))
            offset = end
        }
        return try gzip.finish()
    }

    func testCompressingAsChunksArriveGivesTheSameBytesAsCompressingTheWhole() throws {
        let step = Gzip.stepBytes
        for count in [0, 1, 100, step - 1, step + 1, 3 * step + 12_345] {
            let input = sample(count)
            for level in [1, 6] {
                let whole = try Gzip.compress(input, level: level)
                for chunk in [4 << 10, 64 << 10, step, max(1, count)] {
                    XCTAssertEqual(try streamed(input, chunk: chunk, level: level, announce: chunk == 64 << 10), whole,
                                   "\(count) bytes in \(chunk)-byte chunks at level \(level)")
                }
            }
        }
        var state: UInt64 = 7
        let noise = Data((0..<(1 << 20)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        })
        XCTAssertEqual(try Gzip.decompress(try streamed(noise, chunk: 64 << 10, announce: true)), noise,
                       "incompressible input outgrows the announced quarter")
    }

    func testIntakeHashesKeepsAndCompressesEveryChunkItReads() async throws {
        for count in [10, 300_000, 3 << 20] {
            let content = sample(count)
            // From the network: chunks arrive one by one and are appended.
            let pieces = stride(from: 0, to: count, by: 100_000).map { content.subdata(in: $0..<min(count, $0 + 100_000)) }
            let (network, arrive) = AsyncStream<Data>.makeStream()
            for piece in pieces { arrive.yield(piece) }
            arrive.finish()
            for stream in [ContentStream(network, expectedLength: count), ContentStream(content, chunkSize: 65_536)] {
                let (chunks, feed) = AsyncStream<Data>.makeStream()
                async let compressed = PayloadIntake.compress(chunks, level: 6, expectedInput: count)
                var validator: (any StreamingValidator)? = nil
                let (payload, refusal) = try await PayloadIntake.read(stream, into: feed, validator: &validator)
                XCTAssertNil(refusal)
                XCTAssertEqual(payload.content, content, "\(count) bytes")
                XCTAssertEqual(payload.sha256, ContentHash.sha256Hex(content))
                let body = try await compressed
                XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(body)), content)
            }
        }
    }

    func testAStreamingValidatorsRefusalStopsTheIntakeAtOnce() async throws {
        var bad = Data(#"{"data": [{"a": "ok"}, {"b": "#.utf8)
        bad.append(contentsOf: [0xC0, 0xAF])   // an overlong "/": not UTF-8
        bad.append(Data(#""}]}"#.utf8))
        bad.append(sample(1 << 20))
        let (chunks, feed) = AsyncStream<Data>.makeStream()
        async let compressed = PayloadIntake.compress(chunks, level: 6, expectedInput: nil)
        var validator: (any StreamingValidator)? = JSONShapeCheck()
        let (network, arrive) = AsyncStream<Data>.makeStream()
        for offset in stride(from: 0, to: bad.count, by: 16) { arrive.yield(bad.subdata(in: offset..<min(bad.count, offset + 16))) }
        arrive.finish()
        let (payload, refusal) = try await PayloadIntake.read(ContentStream(network), into: feed, validator: &validator)
        XCTAssertEqual(refusal?.rule, JSONShapeCheck.utf8Rule)
        XCTAssertEqual(refusal?.values["offset"], String(bad.firstIndex(of: 0xC0)!))
        XCTAssertLessThan(payload.content.count, 64, "reading stopped at the chunk with the bad byte")
        _ = try await compressed
    }

    func testCancellingTheCompressionAbandonsItAndYieldsNothing() async throws {
        // Level 9 over 24 MB takes seconds; the cancel comes after the first megabyte, long before the end.
        let (chunks, feed) = AsyncStream<Data>.makeStream()
        let compression = Task { try await PayloadIntake.compress(chunks, level: 9, expectedInput: 24 << 20) }
        let content = sample(24 << 20)
        feed.yield(content.prefix(1 << 20))
        compression.cancel()
        for offset in stride(from: 1 << 20, to: content.count, by: 1 << 20) { feed.yield(content.subdata(in: offset..<offset + (1 << 20))) }
        feed.finish()
        let result = try await compression.value
        XCTAssertNil(result, "a cancelled compression reports itself instead of yielding a body")
    }
}
