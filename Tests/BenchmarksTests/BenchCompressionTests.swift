@testable import CollectionFramework
import XCTest

/// The pipeline's stepwise gzip and the side-by-side hashing and compression that feed it.
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

    func testPreparationGivesTheHashAndBodyForSmallAndLargePayloads() throws {
        for count in [10, PayloadPreparation.minimumBytes - 1, PayloadPreparation.minimumBytes, 3 << 20] {
            let content = sample(count)
            let prepared = PayloadPreparation(content, gzipLevel: 6)
            XCTAssertEqual(prepared.sha256(), ContentHash.sha256Hex(content))
            XCTAssertEqual(try Gzip.decompress(try prepared.compressed()), content)
            prepared.cancel()   // after the body is taken: harmless
        }
    }

    func testCancellingALargePreparationAbandonsTheCompressionAndKeepsTheHash() throws {
        // Level 9 over 24 MB takes seconds; the cancel comes right after the hash, long before the end.
        let content = sample(24 << 20)
        let prepared = PayloadPreparation(content, gzipLevel: 9)
        let sha = prepared.sha256()
        prepared.cancel()
        XCTAssertEqual(sha, ContentHash.sha256Hex(content))
        XCTAssertThrowsError(try prepared.compressed()) { error in
            XCTAssertTrue("\(error)".contains("cancelled"), "\(error)")
        }
    }
}
