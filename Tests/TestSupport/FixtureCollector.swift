import CollectionFramework
import Foundation

/// A collector that exists only in the tests: payloads come from a dictionary (served from
/// memory), a payload is valid when it contains `"ok": true`, and an empty payload is answered
/// with HTTP 503.
public struct FixtureCollector: Collector {
    public static let typeName = "test.fixture"
    public static let summary = "fixture payloads for pipeline tests"
    public let datasetGroup = "test_fixture"
    public let payloads: [String: Data]
    /// How many leading bytes of a payload the `"ok": true` check reads (nil: all), so tests with
    /// payloads of many megabytes do not time the check.
    public let checkedPrefix: Int?

    public init(configuration: CollectorConfiguration) throws {
        payloads = [:]
        checkedPrefix = nil
        changedContent = .storeBeside
    }

    /// What its candidates do when different content holds their key (snapshots by default).
    public let changedContent: ChangedContentPolicy

    public init(payloads: [String: Data], checkedPrefix: Int? = nil, changedContent: ChangedContentPolicy = .storeBeside) {
        self.payloads = payloads
        self.checkedPrefix = checkedPrefix
        self.changedContent = changedContent
    }

    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        payloads.keys.sorted().map {
            DownloadCandidate(identifier: $0, sourceURL: "http://127.0.0.1:9/\($0)",
                              partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!, metadata: ["source": .string("test")],
                              changedContent: changedContent)
        }
    }

    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        guard let data = payloads[candidate.identifier], !data.isEmpty else {
            throw HTTPError.status(code: 503, url: candidate.url, retryAfter: nil, bodyExcerpt: "")
        }
        return ContentStream(data)
    }

    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        let checked = checkedPrefix.map { content.prefix($0) } ?? content
        return String(decoding: checked, as: UTF8.self).contains("\"ok\": true")
            ? .valid(ValidationReport(recordCount: 1))
            : .invalid(ValidationFailure(rule: "ok_flag", reason: "payload lacks \"ok\": true", field: "ok"))
    }
}
