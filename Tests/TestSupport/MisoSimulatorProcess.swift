import CollectionFramework
import Foundation

/// A running `miso-sim` (the built product) on a free loopback port, with helpers for its control endpoints.
///
/// ```swift
/// let sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "3"])
/// defer { sim.stop() }
/// try sim.setFault("http-503", count: 2)
/// let response = try CurlHTTPClient().sendBlocking(HTTPRequest(url: sim.url(MisoSimulatorProcess.ctsPath)))
/// XCTAssertEqual(try sim.stats().requests, 1)
/// ```
public final class MisoSimulatorProcess: @unchecked Sendable {
    public static let ctsPath = "/api/CoordinatedTransactionScheduling"
    public static let exAntePath = "/api/MarketPricing/GetExAnteLmp"
    public static let bindingPath = "/api/BindingConstraints/RealTime"

    /// The child process (its stdout and stderr are captured to files).
    public let child: ChildProcess
    public let port: Int
    /// `http://127.0.0.1:PORT`, no trailing slash.
    public let baseURL: String
    private let client = CurlHTTPClient()

    /// Starts `miso-sim --host 127.0.0.1 --port 0 <arguments>`, reads the bound port from its
    /// `miso-sim listening on http://127.0.0.1:PORT` line and waits until the port accepts connections.
    public init(arguments: [String] = [], timeout: Double = 20) throws {
        let binary = TestPaths.product("miso-sim")
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw MisoSimulatorProcessError.binaryMissing(binary) }
        // Port 0: the simulator binds a free port itself and prints it, so no other process can take it first.
        let child = try ChildProcess(binary, ["--host", "127.0.0.1", "--port", "0"] + arguments)
        let deadline = Date().addingTimeInterval(timeout)
        var port: Int?
        while port == nil {
            port = MisoSimulatorProcess.listeningPort(in: child.stdout)
            if port != nil { break }
            guard child.isRunning, Date() < deadline else {
                child.stop()
                throw MisoSimulatorProcessError.didNotStart(stderr: child.stderr)
            }
            usleep(20_000)
        }
        guard let port, Loopback.waitUntilListening(port, timeout: max(1, deadline.timeIntervalSinceNow)) else {
            child.stop()
            throw MisoSimulatorProcessError.didNotStart(stderr: child.stderr)
        }
        self.child = child
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
    }

    /// The full URL of `path` (e.g. ``ctsPath``) with `query` appended in the given order, percent-encoded.
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return baseURL + path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// GETs `path` with curl and returns the response (any status).
    public func get(_ path: String, query: [(String, String)] = [], timeout: Double = 30) throws -> HTTPResponse {
        try client.sendBlocking(HTTPRequest(url: url(path, query: query), timeout: timeout))
    }

    /// Makes `fault` apply to the next `count` matching requests (0 = every one until cleared).
    public func setFault(_ fault: String, count: Int = 0) throws {
        try configure([("fault", fault), ("count", String(count))])
    }

    /// Clears any fault.
    public func clearFault() throws {
        try configure([("fault", "none")])
    }

    /// Changes run-time settings through `POST /_sim/config` (names: fault, count, latency_ms, shape,
    /// binding_none) and returns the stats document it answers with.
    @discardableResult
    public func configure(_ settings: [(String, String)]) throws -> MisoSimulatorStats {
        try control("POST", "/_sim/config", query: settings)
    }

    /// Reads `GET /_sim/stats`.
    public func stats() throws -> MisoSimulatorStats {
        try control("GET", "/_sim/stats", query: [])
    }

    /// Clears the request counts (`POST /_sim/reset`).
    public func resetStats() throws {
        _ = try control("POST", "/_sim/reset", query: [])
    }

    /// Stops the simulator (SIGTERM, then SIGKILL after two seconds).
    public func stop() {
        child.stop()
    }

    /// The port in a complete `miso-sim listening on http://127.0.0.1:PORT` line, or nil.
    static func listeningPort(in stdout: String) -> Int? {
        let prefix = "miso-sim listening on http://127.0.0.1:"
        guard let line = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Int(line.dropFirst(prefix.count))
    }

    private func control(_ method: String, _ path: String, query: [(String, String)]) throws -> MisoSimulatorStats {
        let response = try client.sendBlocking(HTTPRequest(method: method, url: url(path, query: query),
                                                   body: method == "POST" ? Data() : nil, timeout: 10))
        guard response.status == 200 else {
            throw MisoSimulatorProcessError.controlFailed(path: path, status: response.status,
                                                         body: String(decoding: response.body, as: UTF8.self))
        }
        return try MisoSimulatorStats(json: response.body)
    }

    deinit { child.stop() }
}

/// The simulator's `/_sim/stats` document.
public struct MisoSimulatorStats: Sendable, Equatable {
    /// Requests to data (non-control) paths since start or the last reset.
    public var requests: Int
    public var byPath: [String: Int]
    public var faultsApplied: Int
    /// The active fault's name, or "none".
    public var fault: String
    public var faultRemaining: Int
    public var latencyMilliseconds: Int
    public var shape: String
    public var bindingNone: Bool
    /// When each data request arrived (Unix seconds), oldest first.
    public var requestTimes: [Double]
    /// TCP connections the simulator accepted since start (control requests included).
    public var connections: Int

    /// The most requests that arrived within any window of `seconds` (the rate-limit referee).
    public func maxRequests(inAnyWindowOf seconds: Double) -> Int {
        let times = requestTimes.sorted()
        var best = 0, start = 0
        for end in times.indices {
            while times[end] - times[start] >= seconds { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }

    init(json: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let requests = object["requests"] as? Int, let byPath = object["by_path"] as? [String: Int],
              let faultsApplied = object["faults_applied"] as? Int, let config = object["config"] as? [String: Any],
              let fault = config["fault"] as? String, let remaining = config["fault_remaining"] as? Int,
              let latency = config["latency_ms"] as? Int, let shape = config["shape"] as? String,
              let bindingNone = config["binding_none"] as? Bool else {
            throw MisoSimulatorProcessError.unreadableStats(String(decoding: json.prefix(300), as: UTF8.self))
        }
        self.requests = requests
        self.byPath = byPath
        self.faultsApplied = faultsApplied
        self.fault = fault
        self.faultRemaining = remaining
        self.latencyMilliseconds = latency
        self.shape = shape
        self.bindingNone = bindingNone
        self.requestTimes = (object["request_times"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
        self.connections = object["connections"] as? Int ?? 0
    }
}

/// Why the simulator could not be started or controlled.
public enum MisoSimulatorProcessError: Error, CustomStringConvertible {
    case binaryMissing(String)
    case didNotStart(stderr: String)
    case controlFailed(path: String, status: Int, body: String)
    case unreadableStats(String)

    public var description: String {
        switch self {
        case .binaryMissing(let path):
            return "miso-sim not found at \(path): build it first with `swift build --build-tests`"
        case .didNotStart(let stderr):
            return "miso-sim did not print its listening line or accept connections in time; its stderr: \(stderr)"
        case .controlFailed(let path, let status, let body):
            return "miso-sim control endpoint \(path) answered HTTP \(status): \(body)"
        case .unreadableStats(let text):
            return "miso-sim stats were not the expected JSON document: \(text)"
        }
    }
}
