import CollectionFramework
import Foundation

/// Checks the promise of the fault suite after a run: every expected snapshot is stored exactly
/// once under its key, gunzips to exactly what the server sent, and is registered exactly once
/// pointing at that key; nothing else is stored or registered.
///
/// ```swift
/// let expected = try SnapshotAudit.ctsDays(["2025-01-19", "2025-01-20"], sim: sim)
/// let problems = await SnapshotAudit.problems(storedKeys: scraper.store.keys(under: SnapshotAudit.ctsPrefix),
///                                       fetch: { try await scraper.store.get(key: $0) },
///                                       registry: try scraper.registry(), expected: expected)
/// XCTAssertEqual(problems, [])
/// ```
public enum SnapshotAudit {
    public static let ctsGroup = "miso_coordinated_transaction_scheduling"
    public static let ctsPrefix = "sourcing/\(ctsGroup)/"

    /// The storage key of the CTS snapshot of `day` (YYYY-MM-DD).
    public static func ctsKey(_ day: String) -> String {
        let parts = day.split(separator: "-")
        return "\(ctsPrefix)year=\(parts[0])/month=\(parts[1])/day=\(parts[2])/cts_\(parts.joined()).json.gz"
    }

    /// Key → bytes the simulator serves for each day (the simulator is deterministic per day).
    public static func ctsDays(_ days: [String], sim: MisoSimulatorProcess) throws -> [String: Data] {
        var expected: [String: Data] = [:]
        for day in days {
            expected[ctsKey(day)] = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", day)]).body
        }
        return expected
    }

    /// Consecutive days `first` ... `first + count - 1` of January 2025 as YYYY-MM-DD.
    public static func januaryDays(from first: Int, count: Int) -> [String] {
        (first..<(first + count)).map { String(format: "2025-01-%02d", $0) }
    }

    /// Everything that breaks the promise; empty when it holds.
    public static func problems(storedKeys: [String], fetch: (String) async throws -> Data?, registry: any HashRegistry,
                                group: String = ctsGroup, expected: [String: Data]) async -> [String] {
        var problems: [String] = []
        let stored = Set(storedKeys)
        if stored.count != storedKeys.count { problems.append("a key is listed twice: \(storedKeys)") }
        for extra in stored.subtracting(expected.keys).sorted() { problems.append("unexpected object \(extra)") }
        for (key, served) in expected.sorted(by: { $0.key < $1.key }) {
            guard stored.contains(key) else { problems.append("missing object \(key)"); continue }
            do {
                guard let body = try await fetch(key) else { problems.append("cannot read \(key)"); continue }
                if try Gzip.decompress(body) != served { problems.append("\(key) does not gunzip to the served bytes") }
            } catch {
                problems.append("reading \(key): \(error)")
            }
            let sha = ContentHash.sha256Hex(served)
            do {
                guard let record = try await registry.get(sha256: sha, datasetGroup: group) else {
                    problems.append("\(key) is stored but its hash \(sha.prefix(12)) is not registered"); continue
                }
                if !record.location.hasSuffix(key) { problems.append("\(sha.prefix(12)) registered at \(record.location), expected \(key)") }
            } catch {
                problems.append("registry lookup for \(key): \(error)")
            }
        }
        do {
            let count = try await registry.count(datasetGroup: group)
            if count != expected.count { problems.append("registry holds \(count) record(s), expected \(expected.count)") }
        } catch {
            problems.append("registry count: \(error)")
        }
        return problems
    }

    /// ``problems(storedKeys:fetch:registry:group:expected:)`` for a run's embedded store and registry.
    public static func problems(_ scraper: ScraperInvocation, expected: [String: Data]) async -> [String] {
        do {
            let local = scraper.store
            let store: any ObjectStore = local
            return await problems(storedKeys: local.keys(under: ctsPrefix), fetch: { try await store.get(key: $0) },
                            registry: try scraper.registry(), expected: expected)
        } catch {
            return ["cannot open the embedded registry: \(error)"]
        }
    }
}
