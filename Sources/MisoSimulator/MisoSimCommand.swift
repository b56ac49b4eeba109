import ArgumentParser
import Foundation
import LoopbackHTTP

/// `miso-sim`: a local stand-in for MISO's public API, with switchable faults, for tests and demos.
@main
struct MisoSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "miso-sim",
        abstract: "Serve simulated MISO public-API feeds (CTS, ex-ante LMP, binding constraints) on a loopback port.",
        discussion: "Prints one line, \"miso-sim listening on http://HOST:PORT\", once it accepts connections, and "
            + "stops on SIGTERM or SIGINT. Control endpoints: GET /_sim/stats, "
            + "POST /_sim/config?fault=&count=&latency_ms=&shape=&binding_none=&throttle_bytes_per_second=, POST /_sim/reset. "
            + "Faults: \(SimulatorFault.allNames).")

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 0

    @Option(help: "IPv4 address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Number of MISO.PJM.INTERFACE nodes in the documented CTS shape.")
    var nodes = 5

    @Option(help: "CTS response shape: documented or live.")
    var shape: CTSShape = .documented

    @Option(help: "The operating day treated as today, YYYY-MM-DD (default: today in UTC-05:00).")
    var today: String?

    @Option(name: .customLong("latency-ms"), help: "Delay before answering each data request, in milliseconds.")
    var latencyMs = 0

    @Option(help: "Fault to show from the start (see the list above).")
    var fault: SimulatorFault?

    @Option(name: .customLong("fault-count"), help: "How many requests the fault applies to; 0 = all.")
    var faultCount = 0

    @Option(help: "Seed of the generated numbers.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("binding-none"), help: "Answer binding constraints with the \"nothing binding\" form.")
    var bindingNone = false

    @Option(help: "The ISO feeds' clock, a UTC instant like 2026-12-03T17:00:00Z (default: the real time).")
    var now: String?

    @Option(name: .customLong("caiso-nodes"), help: "Nodes of the CAISO feed's grp_type=ALL answers.")
    var caisoNodes = 20

    @Option(name: .customLong("caiso-min-interval"), help: "CAISO's rule: least seconds between SingleZip requests; sooner is a 429 (0 = off).")
    var caisoMinInterval = 5.0

    @Option(name: .customLong("spp-locations"), help: "Settlement locations per SPP interval file (and per hour of an SPP day-ahead file).")
    var sppLocations = 30

    @Flag(name: .customLong("log-requests"), help: "Log each request to stderr.")
    var logRequests = false

    @Option(name: .customLong("throttle-bytes-per-second"),
            help: "Send data response bodies at about N bytes per second, in 64 KiB chunks; 0 = no throttle.")
    var throttleBytesPerSecond = 0

    @Option(name: .customLong("max-connections"), help: "Connections served at once; more are answered 503.")
    var maxConnections = LoopbackHTTPLimits().maxConnections

    @Option(name: .customLong("max-header-bytes"), help: "Largest request head accepted; more is answered 431.")
    var maxHeaderBytes = LoopbackHTTPLimits().maxHeaderBytes

    @Option(name: .customLong("request-timeout-ms"),
            help: "Time a client has to send its whole request, in milliseconds; then 408 and close.")
    var requestTimeoutMs = 10_000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535 (0 = any free port)") }
        guard (1...10_000).contains(nodes) else { throw ValidationError("--nodes must be 1...10000") }
        guard (0...600_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be 0...600000") }
        guard faultCount >= 0 else { throw ValidationError("--fault-count must be 0 (every request) or more") }
        guard (0...SimulatorConfig.maxThrottleBytesPerSecond).contains(throttleBytesPerSecond) else {
            throw ValidationError("--throttle-bytes-per-second must be 0 (no throttle) to \(SimulatorConfig.maxThrottleBytesPerSecond)")
        }
        guard (1...4096).contains(maxConnections) else { throw ValidationError("--max-connections must be 1...4096") }
        guard (256...(1 << 20)).contains(maxHeaderBytes) else { throw ValidationError("--max-header-bytes must be 256...1048576") }
        guard (1...3_600_000).contains(requestTimeoutMs) else { throw ValidationError("--request-timeout-ms must be 1...3600000") }
        if let now, SimulatorClockText.parse(now) == nil {
            throw ValidationError("--now '\(now)' is not a UTC instant: use e.g. 2026-12-03T17:00:00Z")
        }
        guard (1...100_000).contains(caisoNodes) else { throw ValidationError("--caiso-nodes must be 1...100000") }
        guard (0...60).contains(caisoMinInterval) else { throw ValidationError("--caiso-min-interval must be 0...60 seconds") }
        guard (1...100_000).contains(sppLocations) else { throw ValidationError("--spp-locations must be 1...100000") }
        if let today, OperatingDay(iso: today) == nil {
            throw ValidationError("--today '\(today)' is not a calendar day: use YYYY-MM-DD, e.g. 2025-01-20")
        }
    }

    func run() async throws {
        // SIGTERM and SIGINT stop the server; they are ignored as signals and read as events.
        let stopSignals = StopSignals([SIGTERM, SIGINT])

        let launch = SimulatorLaunch(nodes: nodes, seed: seed, today: today.flatMap { OperatingDay(iso: $0) } ?? .today(),
                                     logRequests: logRequests, caisoNodes: caisoNodes, caisoMinimumInterval: caisoMinInterval,
                                     sppLocations: sppLocations)
        let state = SimulatorState(config: SimulatorConfig(fault: fault, faultRemaining: fault == nil ? 0 : faultCount,
                                                           latencyMilliseconds: latencyMs, shape: shape,
                                                           bindingNone: bindingNone,
                                                           throttleBytesPerSecond: throttleBytesPerSecond,
                                                           now: now.flatMap(SimulatorClockText.parse)))
        let router = SimulatorRouter(launch: launch, state: state)
        // Keep-alive, as a real API answers: a client that reuses connections shows in `connections`.
        let limits = LoopbackHTTPLimits(maxConnections: maxConnections, maxHeaderBytes: maxHeaderBytes,
                                        requestTimeout: .milliseconds(requestTimeoutMs), keepAliveIdle: .seconds(5))
        let server = LoopbackHTTPServer(host: host, port: port, limits: limits) { await router.handle($0) }
        state.countConnections { server.acceptedConnections }
        let host = self.host
        let signals = stopSignals.events

        enum Outcome: Sendable {
            case failed(String)
            case stopped
            case signal(Int32)
        }
        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    try await server.run { port in
                        FileHandle.standardOutput.write(Data("miso-sim listening on http://\(host):\(port)\n".utf8))
                    }
                    return .stopped
                } catch {
                    return .failed("\(error)")
                }
            }
            group.addTask {
                for await received in signals { return .signal(received) }
                return .stopped // cancelled: the server stopped first
            }
            let first = await group.next() ?? .stopped
            group.cancelAll() // stops the server (run returns once every connection is closed)
            await group.waitForAll()
            return first
        }
        withExtendedLifetime(stopSignals) {}

        switch outcome {
        case .failed(let message):
            FileHandle.standardError.write(Data("miso-sim: \(message)\n".utf8))
            throw ExitCode(2)
        case .signal(let received):
            FileHandle.standardError.write(Data("miso-sim: stopped on signal \(received)\n".utf8))
        case .stopped:
            break
        }
    }
}
