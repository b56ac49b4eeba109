import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Reads archives written by Python's `zipfile` (an independent writer), then the same archives
/// broken the ways ISO downloads break: truncated, a central directory that disagrees with the local
/// headers, a data descriptor, an error page instead of a ZIP.
final class ZipArchiveTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes a ZIP with Python's zipfile; `members` maps names to contents. `streamed` writes through
    /// a non-seekable file so every member gets a data descriptor.
    private func pythonZip(_ members: [(String, String)], method: String = "ZIP_DEFLATED", streamed: Bool = false) throws -> Data {
        let out = folder.appendingPathComponent("a.zip").path
        var script = "import zipfile, sys\n"
        script += streamed
            ? "class W:\n  def __init__(s, f): s.f=f; s.n=0\n  def write(s, b): s.n+=len(b); return s.f.write(b)\n  def tell(s): raise OSError\n  def flush(s): s.f.flush()\nf=open('\(out)','wb'); z=zipfile.ZipFile(W(f),'w',zipfile.\(method))\n"
            : "z=zipfile.ZipFile('\(out)','w',zipfile.\(method))\n"
        for (index, (name, text)) in members.enumerated() {
            let source = folder.appendingPathComponent("member\(index)")
            try Data(text.utf8).write(to: source)
            script += "z.writestr('\(name)', open('\(source.path)','rb').read())\n"
        }
        script += "z.close()\n" + (streamed ? "f.close()\n" : "")
        let result = try runCommand("/usr/bin/env", ["python3", "-c", script], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    private func csv(_ rows: Int, tag: String) -> String {
        "\"Time Stamp\",\"Name\",\"LBMP\"\r\n" + (0..<rows).map { "\"01/0\($0 % 9 + 1)/2025 00:05:00\",\"\(tag)\",\($0).25\r\n" }.joined()
    }

    private func read(_ archive: ZipArchive, _ name: String) async throws -> Data {
        var out = Data()
        for try await chunk in ContentStream(archive.chunks(of: try archive.member(named: name), chunkSize: 1000)) { out.append(chunk) }
        return out
    }

    func testReadsEveryMemberOfADeflatedAndAStoredArchive() async throws {
        let a = csv(3000, tag: "CAPITL"), b = csv(10, tag: "WEST")
        for method in ["ZIP_DEFLATED", "ZIP_STORED"] {
            let archive = try ZipArchive(try pythonZip([("20250101realtime_zone.csv", a), ("20250102realtime_zone.csv", b)], method: method))
            XCTAssertFalse(archive.recoveredFromLocalHeaders)
            XCTAssertEqual(archive.members.map(\.name), ["20250101realtime_zone.csv", "20250102realtime_zone.csv"])
            let first = try await read(archive, "20250101realtime_zone.csv")
            XCTAssertEqual(String(decoding: first, as: UTF8.self), a, method)
            XCTAssertEqual(try archive.contents(of: archive.member(named: "20250102realtime_zone.csv")), Data(b.utf8))
        }
    }

    func testAMissingMemberNamesThoseThereAre() throws {
        let archive = try ZipArchive(try pythonZip([("a.csv", "x")]))
        XCTAssertThrowsError(try archive.member(named: "b.csv")) { error in
            XCTAssertEqual(error as? ZipError, .memberNotFound("b.csv", available: ["a.csv"]))
            XCTAssertTrue("\(error)".contains("holds 1: a.csv"), "\(error)")
        }
    }

    func testACentralDirectoryThatDisagreesWithTheLocalHeadersIsReadFromTheLocalHeaders() async throws {
        let a = csv(500, tag: "NORTH"), b = csv(400, tag: "N.Y.C.")
        var data = try pythonZip([("a.csv", a), ("b.csv", b)])
        // Corrupt each central entry's compressed size (+20) and local header offset (+42).
        var position = data.count - 22
        while position > 0, !(data[position] == 0x50 && data[position + 1] == 0x4b && data[position + 2] == 5 && data[position + 3] == 6) { position -= 1 }
        var central = Int(data[position + 16]) | Int(data[position + 17]) << 8 | Int(data[position + 18]) << 16
        for _ in 0..<2 {
            data[central + 20] &+= 13
            data[central + 42] &+= 7
            let skip = 46 + Int(data[central + 28]) + Int(data[central + 30]) + Int(data[central + 32])
            central += skip
        }
        let archive = try ZipArchive(data)
        XCTAssertTrue(archive.recoveredFromLocalHeaders)
        XCTAssertFalse(archive.isTruncated, "a whole archive with a bad directory is not cut")
        XCTAssertEqual(archive.members.map(\.name), ["a.csv", "b.csv"])
        let readA = try await read(archive, "a.csv")
        let readB = try await read(archive, "b.csv")
        XCTAssertEqual(String(decoding: readA, as: UTF8.self), a)
        XCTAssertEqual(String(decoding: readB, as: UTF8.self), b)
    }

    func testMembersWrittenWithDataDescriptorsAreReadWithoutACentralDirectory() async throws {
        let a = csv(200, tag: "WEST"), b = csv(100, tag: "O H")
        let data = try pythonZip([("a.csv", a), ("b.csv", b)], streamed: true)
        // Drop the central directory: only the local headers and descriptors say where members end.
        let central = data.range(of: Data([0x50, 0x4b, 0x01, 0x02]))!.lowerBound
        let archive = try ZipArchive(data.prefix(central))
        XCTAssertTrue(archive.recoveredFromLocalHeaders)
        let readB = try await read(archive, "b.csv")
        XCTAssertEqual(String(decoding: readB, as: UTF8.self), b)
    }

    func testATruncatedArchiveGivesTheWholeMembersAndRefusesTheCutOne() async throws {
        let a = csv(100, tag: "A"), b = csv(5000, tag: "B")
        let data = try pythonZip([("a.csv", a), ("b.csv", b)])
        let archive = try ZipArchive(data.prefix(data.count * 6 / 10))
        XCTAssertTrue(archive.recoveredFromLocalHeaders)
        XCTAssertTrue(archive.isTruncated)
        XCTAssertFalse(try ZipArchive(data).isTruncated)
        let readA = try await read(archive, "a.csv")
        XCTAssertEqual(String(decoding: readA, as: UTF8.self), a)
        do {
            _ = try await read(archive, "b.csv")
            XCTFail("a cut member must not read")
        } catch {
            XCTAssertEqual(error as? ZipError, .truncated(member: "b.csv"), "\(error)")
        }
    }

    func testFlippedDataFailsItsCRCOrItsInflate() throws {
        let a = csv(300, tag: "CRC")
        var data = try pythonZip([("a.csv", a)], method: "ZIP_STORED")
        let member = try ZipArchive(data).member(named: "a.csv")
        data[member.dataOffset + 40] ^= 0x01
        XCTAssertThrowsError(try ZipArchive(data).contents(of: member)) { error in
            guard case .corruptMember(let name, let reason)? = error as? ZipError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "a.csv")
            XCTAssertTrue(reason.contains("CRC-32"), reason)
        }
    }

    func testAnErrorPageIsNotAZip() {
        for body in ["<root>Error Downloading Content - NO Results</root>", "<!DOCTYPE html><html>429</html>", ""] {
            XCTAssertThrowsError(try ZipArchive(Data(body.utf8))) { error in
                guard case .notAZip(let excerpt)? = error as? ZipError else { return XCTFail("\(body): \(error)") }
                XCTAssertEqual(excerpt, String(body.prefix(80)))
                XCTAssertTrue("\(error)".contains("not a ZIP archive"))
            }
        }
    }
}
