import ArgumentParser
import Foundation
import LoopbackHTTP

/// `miso-sim`: a local stand-in for MISO's public API, with switchable faults, for tests and demos.
@main
struct MisoSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "miso-sim",
        abstract: "Serve simulated MISO public-API feeds (CTS, ex-ante LMP, binding constraints) on a loopback port.",
        discussion: "Prints one line, \"miso-sim listening on http://HOST:PORT\", once it accepts connections, and "
            + "stops on SIGTERM or SIGINT. Control endpoints: GET /_sim/stats, "
            + "POST /_sim/config?fault=&count=&latency_ms=&shape=&binding_none=, POST /_sim/reset. "
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

    @Flag(name: .customLong("log-requests"), help: "Log each request to stderr.")
    var logRequests = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535 (0 = any free port)") }
        guard (1...10_000).contains(nodes) else { throw ValidationError("--nodes must be 1...10000") }
        guard (0...600_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be 0...600000") }
        guard faultCount >= 0 else { throw ValidationError("--fault-count must be 0 (every request) or more") }
        if let today, OperatingDay(iso: today) == nil {
            throw ValidationError("--today '\(today)' is not a calendar day: use YYYY-MM-DD, e.g. 2025-01-20")
        }
    }

    func run() throws {
        // Block the stop signals in every thread; the main thread collects them with sigwait below.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let launch = SimulatorLaunch(nodes: nodes, seed: seed, today: today.flatMap { OperatingDay(iso: $0) } ?? .today(),
                                     logRequests: logRequests)
        let state = SimulatorState(config: SimulatorConfig(fault: fault, faultRemaining: fault == nil ? 0 : faultCount,
                                                           latencyMilliseconds: latencyMs, shape: shape,
                                                           bindingNone: bindingNone))
        let router = SimulatorRouter(launch: launch, state: state)
        let server = LoopbackHTTPServer(host: host, port: port) { router.handle($0) }
        let bound: Int
        do {
            bound = try server.start()
        } catch {
            FileHandle.standardError.write(Data("miso-sim: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print("miso-sim listening on http://\(host):\(bound)")
        fflush(stdout)

        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        FileHandle.standardError.write(Data("miso-sim: stopped on signal \(received)\n".utf8))
    }
}
