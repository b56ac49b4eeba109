@testable import CollectionFramework
import Collectors
import Foundation
import XCTest

/// The framework's export over a real local store: which objects it reads, how overlapping
/// snapshots resolve, what it reports, and how rows are written.
final class DatasetExportTests: XCTestCase {
    var root: URL!
    var store: LocalObjectStore!
    let group = "miso_coordinated_transaction_scheduling"
    let day = CalendarDate(iso: "2025-01-20")!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        store = LocalObjectStore(root: root)
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func put(_ payload: Data, as identifier: String, day: CalendarDate? = nil, key: String? = nil) async throws {
        let key = key ?? StorageKey.object(datasetGroup: group, date: day ?? self.day, identifier: identifier)
        _ = try await store.put(ObjectPutRequest(key: key, body: try Gzip.compress(payload), contentSHA256: ContentHash.sha256Hex(payload)))
    }

    private func exporter() throws -> MisoCTSCollector { try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts")) }

    private func record(_ interval: String, node: String = "MISO.PJM.INTERFACE1", total: Double) -> JSONValue {
        CTSPayloads.record(timestamp: .string("2025-01-20T\(interval):00-05:00"), interval: .string(interval), node: .string(node),
                           total: .double(total), energy: .double(total), congestion: .double(0), losses: .double(0))
    }

    /// Two snapshots overlap at 09:05: --latest keeps the newer one's row, --all keeps both.
    func testLatestKeepsTheNewestSnapshotsRowPerIntervalAndNodeAndAllKeepsEvery() async throws {
        try await put(CTSPayloads.documented([record("09:00", total: 10), record("09:05", total: 11)]), as: "cts_snapshot_20250120_0901.json")
        try await put(CTSPayloads.documented([record("09:05", total: 21), record("09:10", total: 22)]), as: "cts_snapshot_20250120_0906.json")
        let export = DatasetExport(exporter: try exporter(), store: store)

        let latest = try await export.run(days: [day], overlap: .latest)
        let totals = latest.rows.map { $0[latest.columns.firstIndex(of: "lmp_total")!] }
        XCTAssertEqual(totals, [.number(10), .number(21), .number(22)])
        let snapshots = latest.rows.map { $0[latest.columns.firstIndex(of: DatasetExport.snapshotColumn)!] }
        XCTAssertEqual(snapshots, [.text("cts_snapshot_20250120_0901.json"), .text("cts_snapshot_20250120_0906.json"), .text("cts_snapshot_20250120_0906.json")])
        XCTAssertEqual(latest.rows.first?[latest.columns.firstIndex(of: DatasetExport.collectedAtColumn)!], .text("2025-01-20T14:01:00Z"))
        XCTAssertEqual(latest.objectsRead, 2)

        let all = try await export.run(days: [day], overlap: .all)
        XCTAssertEqual(all.rows.map { $0[all.columns.firstIndex(of: "lmp_total")!] }, [.number(10), .number(11), .number(21), .number(22)],
                       "every row, the older snapshot's first within an interval")
    }

    func testOnlyTheDayFoldersObjectsAreReadAndUnreadableOnesAreReportedNotFatal() async throws {
        try await put(CTSPayloads.documented([record("09:00", total: 10)]), as: "cts_20250120.json")
        try await put(Data("{\"neither\": true}".utf8), as: "cts_20250120_abcdef012345.json")
        try await put(CTSPayloads.documented([record("09:00", total: 99)]), as: "x",
                      key: StorageKey.rejected(datasetGroup: group, date: day, identifier: "cts_20250120.json"))
        try await put(CTSPayloads.documented([record("09:00", total: 98)]), as: "x",
                      key: StorageKey.folder(datasetGroup: group, date: day) + "/nested/cts_old.json.gz")
        try await put(CTSPayloads.documented([record("09:00", total: 97)]), as: "cts_20250121.json", day: CalendarDate(iso: "2025-01-21")!)
        try Data("not gzip".utf8).write(to: root.appendingPathComponent(StorageKey.folder(datasetGroup: group, date: day) + "/broken.json.gz"))

        let result = try await DatasetExport(exporter: try exporter(), store: store).run(days: [day], overlap: .latest)
        XCTAssertEqual(result.rows.map { $0[result.columns.firstIndex(of: "lmp_total")!] }, [.number(10)])
        XCTAssertEqual(result.objectsRead, 1)
        XCTAssertEqual(result.unreadable.count, 2, "\(result.unreadable)")
        XCTAssertTrue(result.unreadable.contains { $0.description.contains("broken.json.gz") && $0.description.contains("gzip") })
        XCTAssertTrue(result.unreadable.contains { $0.description.contains("cts_20250120_abcdef012345.json.gz") })
    }

    /// Any prefix lists what starts with it: a folder, part of a name, or a prefix with no `/` at all.
    func testTheLocalStoreListsEveryKeyThatStartsWithThePrefix() async throws {
        try await put(CTSPayloads.documented(), as: "cts_20250120.json")
        try await put(CTSPayloads.documented(), as: "cts_snapshot_20250120_0901.json")
        let folder = StorageKey.folder(datasetGroup: group, date: day)
        let all = [folder + "/cts_20250120.json.gz", folder + "/cts_snapshot_20250120_0901.json.gz"]
        let inFolder = try await store.keys(withPrefix: folder + "/")
        let bySnapshotName = try await store.keys(withPrefix: folder + "/cts_snap")
        let fromTheRoot = try await store.keys(withPrefix: "sourc")
        let nothing = try await store.keys(withPrefix: "other")
        XCTAssertEqual(inFolder, all)
        XCTAssertEqual(bySnapshotName, [all[1]])
        XCTAssertEqual(fromTheRoot, all)
        XCTAssertEqual(nothing, [])
    }

    func testCSVQuotesWhatNeedsItAndJSONLinesKeepsTypes() {
        let result = ExportResult(columns: ["a", "b", "c"], rows: [[.text("x,\"y\""), .number(1.5), .missing], [.text("plain"), .number(-2), .text("")]],
                                  objectsRead: 1, unreadable: [])
        XCTAssertEqual(ExportFormat.csv.render(result), "a,b,c\r\n\"x,\"\"y\"\"\",1.5,\r\nplain,-2,\r\n")
        XCTAssertEqual(ExportFormat.jsonl.render(result),
                       "{\"a\": \"x,\\\"y\\\"\", \"b\": 1.5, \"c\": null}\n{\"a\": \"plain\", \"b\": -2, \"c\": \"\"}\n")
    }

    func testAnS3ListingPageGivesItsKeysUnescapedAndItsContinuation() {
        let body = Data("""
        <?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>true</IsTruncated>\
        <Contents><Key>sourcing/a&amp;b/x.json.gz</Key><Size>1</Size></Contents><Contents><Key>sourcing/c.json.gz</Key></Contents>\
        <NextContinuationToken>1/abc=</NextContinuationToken></ListBucketResult>
        """.utf8)
        let page = S3ListingPage(body: body)
        XCTAssertEqual(page.keys, ["sourcing/a&b/x.json.gz", "sourcing/c.json.gz"])
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextToken, "1/abc=")
        XCTAssertEqual(S3ListingPage.encode("sourcing/g/year=2025/"), "sourcing%2Fg%2Fyear%3D2025%2F")
        XCTAssertEqual(S3ListingPage.encode("a b&c"), "a%20b%26c")
    }
}
