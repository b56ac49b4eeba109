import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The limits of LoopbackHTTPServer (connection cap, header size, whole-request deadline, no body on
/// GET) and the simulator's download throttle, driven over plain sockets against the built `miso-sim`
/// so they do not depend on the HTTP client of CollectionFramework.
final class LoopbackHTTPLimitsTests: XCTestCase {
    private let today = "2025-01-20"

    // MARK: - Connection cap

    func testConnectionsOverTheCapGet503AndAFreedSlotServesAgain() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", today, "--max-connections", "4",
                                                       "--request-timeout-ms", "30000"])
        defer { sim.stop() }
        usleep(500_000) // the start-up probe's connection (connect, close) leaves its slot
        // Four clients that connect, start a request and stall: they fill every slot.
        var held = try (0..<4).map { _ in try RawClient(port: sim.port) }
        for client in held { try client.send("GET /_sim/stats HTTP/1.1\r\nHost: x\r\n") }
        usleep(500_000) // let the server accept them
        XCTAssertFalse(held.contains { $0.hasInput() }, "the four stalled clients were admitted and are waiting")

        let started = Date()
        let over = try RawClient(port: sim.port).exchange("GET /_sim/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(over.status, 503, over.text)
        XCTAssertTrue(over.text.contains("too many connections"), over.text)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the 503 does not wait for a slot")

        // A client that finishes its request is served, and frees its slot for others.
        try held[0].send("\r\n")
        XCTAssertEqual(try held[0].readResponse().status, 200)
        held.removeFirst()
        XCTAssertTrue(eventually { (try? RawClient(port: self.port(sim)).exchange("GET /_sim/stats HTTP/1.1\r\n\r\n").status) == 200 },
                      "a freed slot serves a new client")
        // Closing a stalled client frees its slot too.
        for client in held { client.close() }
        XCTAssertTrue(eventually {
            let clients = (0..<4).compactMap { _ in try? RawClient(port: self.port(sim)) }
            for client in clients { try? client.send("GET /_sim/stats HTTP/1.1\r\n\r\n") }
            return clients.count == 4 && clients.allSatisfy { (try? $0.readResponse().status) == 200 }
        }, "once the stalled clients left, all four slots serve again")
    }

    // MARK: - Request head size

    func testAnOversizedRequestHeadGets431AndOneUnderTheLimitIsServed() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", today]) // default limit: 16 KiB
        defer { sim.stop() }
        let under = try RawClient(port: sim.port)
            .exchange("GET /_sim/stats HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 12 * 1024))\r\n\r\n")
        XCTAssertEqual(under.status, 200, under.text)

        let over = try RawClient(port: sim.port)
            .exchange("GET /_sim/stats HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 20 * 1024))\r\n\r\n")
        XCTAssertEqual(over.status, 431, over.text)

        let smaller = try MisoSimulatorProcess(arguments: ["--today", today, "--max-header-bytes", "1024"])
        defer { smaller.stop() }
        let overSmaller = try RawClient(port: smaller.port)
            .exchange("GET /_sim/stats HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 2 * 1024))\r\n\r\n")
        XCTAssertEqual(overSmaller.status, 431, "the limit is a parameter")
        XCTAssertEqual(try RawClient(port: smaller.port).exchange("GET /_sim/stats HTTP/1.1\r\n\r\n").status, 200)
    }

    // MARK: - No body on GET

    func testAGetWithABodyIsRefusedAndAPostWithOneIsServed() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", today])
        defer { sim.stop() }
        let withBody = try RawClient(port: sim.port).exchange("GET /_sim/stats HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(withBody.status, 400, withBody.text)
        XCTAssertTrue(withBody.text.contains("must not have a body"), withBody.text)
        let chunked = try RawClient(port: sim.port)
            .exchange("GET /_sim/stats HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        XCTAssertEqual(chunked.status, 400, chunked.text)
        XCTAssertEqual(try RawClient(port: sim.port).exchange("GET /_sim/stats HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 200)
        XCTAssertEqual(try RawClient(port: sim.port).exchange("POST /_sim/reset HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").status, 200)
        XCTAssertEqual(try sim.stats().requests, 0, "the refused GETs reached no handler")
    }

    // MARK: - Slow clients

    func testASlowClientIsCutAtTheRequestDeadlineAndNeverDelaysOthers() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", today, "--request-timeout-ms", "2000"])
        defer { sim.stop() }
        // Idle clients that never send a byte, and one that drips its head a byte at a time (so no
        // per-read idle timeout would ever catch it: only a deadline for the whole request does).
        let idle = try (0..<8).map { _ in try RawClient(port: sim.port) }
        let slow = try RawClient(port: sim.port)
        let slowStarted = Date()
        let head = Array("GET /_sim/stats HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "z", count: 500))

        var served: [Double] = []
        var slowAnswer: RawResponse?
        var sent = 0
        while slowAnswer == nil && Date().timeIntervalSince(slowStarted) < 15 {
            if sent < head.count { try? slow.send(String(head[sent])); sent += 1 }
            let started = Date()
            let quick = try RawClient(port: sim.port).exchange("GET /_sim/stats HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(quick.status, 200)
            served.append(Date().timeIntervalSince(started))
            if slow.hasInput() { slowAnswer = try slow.readResponse() }
            usleep(100_000)
        }
        let slowLifetime = Date().timeIntervalSince(slowStarted)
        let answer = try XCTUnwrap(slowAnswer, "the slow client was never cut (dripped \(sent) bytes)")
        XCTAssertEqual(answer.status, 408, answer.text)
        XCTAssertGreaterThanOrEqual(slowLifetime, 1.5, "cut at the 2 s deadline, not before")
        XCTAssertLessThan(sent, head.count, "cut while it was still sending its head")
        XCTAssertGreaterThanOrEqual(served.count, 5, "others were served while the slow client was connected")
        XCTAssertLessThan(served.max() ?? 0, slowLifetime / 2, "no request waited for the slow client: \(served)")
        for client in idle {
            XCTAssertTrue(client.waitForClose(timeout: 10), "an idle client is cut at the deadline too")
        }
    }

    // MARK: - Throttle

    func testThrottledDownloadTakesItsTimeAndArrivesIntact() throws {
        // 27 nodes: a documented CTS body of about 2 MB.
        let sim = try MisoSimulatorProcess(arguments: ["--today", today, "--nodes", "27"])
        defer { sim.stop() }
        let request = "GET \(MisoSimulatorProcess.ctsPath) HTTP/1.1\r\nHost: x\r\n\r\n"
        let fastStarted = Date()
        let fast = try RawClient(port: sim.port).exchange(request)
        let fastElapsed = Date().timeIntervalSince(fastStarted)
        XCTAssertEqual(fast.status, 200)
        XCTAssertGreaterThan(fast.body.count, 1_800_000)
        XCTAssertNotNil(fast.headers["content-length"], "unthrottled answers keep Content-Length")

        let rate = 1_000_000.0
        let configured = try RawClient(port: sim.port)
            .exchange("POST /_sim/config?throttle_bytes_per_second=1000000 HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(configured.status, 200)
        XCTAssertTrue(configured.text.contains("\"throttle_bytes_per_second\":1000000"), configured.text)

        let slowStarted = Date()
        let slow = try RawClient(port: sim.port).exchange(request, timeout: 60)
        let slowElapsed = Date().timeIntervalSince(slowStarted)
        XCTAssertEqual(slow.status, 200)
        XCTAssertEqual(slow.body, fast.body, "the throttled body is the same bytes")
        let ideal = Double(fast.body.count) / rate
        XCTAssertGreaterThanOrEqual(slowElapsed, 0.75 * ideal, "about \(rate) B/s: \(slowElapsed) s for \(fast.body.count) bytes")
        XCTAssertGreaterThan(slowElapsed, fastElapsed, "the throttle slows the download down")

        // A body built whole (a payload fault) is throttled too, and keeps its Content-Length.
        _ = try RawClient(port: sim.port).exchange("POST /_sim/config?fault=bad-arithmetic&count=1 HTTP/1.1\r\n\r\n")
        let faultStarted = Date()
        let faulty = try RawClient(port: sim.port).exchange(request, timeout: 60)
        XCTAssertEqual(faulty.status, 200)
        XCTAssertEqual(faulty.headers["content-length"], String(faulty.body.count))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(faultStarted), 0.75 * Double(faulty.body.count) / rate)
        XCTAssertNotEqual(faulty.body, fast.body)

        // Off again: fast, and the same bytes with Content-Length.
        _ = try RawClient(port: sim.port).exchange("POST /_sim/config?throttle_bytes_per_second=0 HTTP/1.1\r\n\r\n")
        let again = try RawClient(port: sim.port).exchange(request)
        XCTAssertEqual(again.body, fast.body)
        XCTAssertNotNil(again.headers["content-length"])

        let bad = try RawClient(port: sim.port).exchange("POST /_sim/config?throttle_bytes_per_second=fast HTTP/1.1\r\n\r\n")
        XCTAssertEqual(bad.status, 400, bad.text)
    }

    func testThrottleFromTheCommandLineAndAStopDuringAThrottledDownload() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", today, "--nodes", "27", "--throttle-bytes-per-second", "200000"])
        let client = try RawClient(port: sim.port)
        try client.send("GET \(MisoSimulatorProcess.ctsPath) HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(1_000_000)
        let received = client.readAvailable()
        XCTAssertGreaterThan(received, 0, "the first bytes leave at once")
        XCTAssertLessThan(received, 1_000_000, "about 200 kB/s: \(received) bytes after one second")
        sim.child.send(SIGTERM)
        XCTAssertEqual(sim.child.wait(timeout: 10), 0, "a stop does not wait for the throttled download")
        XCTAssertTrue(client.waitForClose(timeout: 5))
    }

    // MARK: - Helpers

    private func port(_ sim: MisoSimulatorProcess) -> Int { sim.port }

    /// Retries `condition` for up to `timeout` seconds.
    private func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if condition() { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }
}

/// One parsed HTTP/1.1 response (chunked bodies decoded).
struct RawResponse {
    var status: Int
    /// Lower-cased names.
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum RawClientError: Error {
    case connectFailed(Int32)
    case sendFailed(Int32)
    case malformed(String)
}

/// A blocking TCP client on 127.0.0.1 for one request, with every read bounded by a timeout.
final class RawClient {
    let fd: Int32
    private var closed = false

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else {
            let code = errno
            if fd >= 0 { Glibc.close(fd) }
            throw RawClientError.connectFailed(code)
        }
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawClientError.sendFailed(errno) }
            offset += sent
        }
    }

    /// Sends `request` and reads the response until the server closes.
    /// Sends `request` asking the server to close after its answer (this client reads until the
    /// close; the simulator keeps connections alive otherwise) and reads the response.
    func exchange(_ request: String, timeout: Double = 20) throws -> RawResponse {
        var closing = request
        if !request.lowercased().contains("\r\nconnection:"), let lineEnd = request.range(of: "\r\n") {
            closing.insert(contentsOf: "\r\nConnection: close", at: lineEnd.lowerBound)
        }
        try send(closing)
        return try readResponse(timeout: timeout)
    }

    /// Reads until the server closes the connection (or `timeout` passes) and parses what came.
    func readResponse(timeout: Double = 20) throws -> RawResponse {
        let raw = readUntilClose(timeout: timeout)
        return try Self.parse(raw)
    }

    /// True when a byte or the end of stream can be read now.
    func hasInput() -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// Bytes readable without waiting (read and dropped).
    func readAvailable() -> Int {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return total }
            total += count
        }
    }

    /// Reads and drops input until the server closes; false after `timeout` seconds.
    func waitForClose(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
        return false
    }

    private func readUntilClose(timeout: Double) -> Data {
        let deadline = Date().addingTimeInterval(timeout)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    static func parse(_ raw: Data) throws -> RawResponse {
        guard let headEnd = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw RawClientError.malformed("no complete head in \(raw.count) bytes: \(String(decoding: raw.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: raw[raw.startIndex..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw RawClientError.malformed(lines[0]) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(raw[headEnd.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count == length else { throw RawClientError.malformed("body of \(body.count) bytes, Content-Length \(length)") }
        }
        return RawResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var out = Data()
        var index = data.startIndex
        while true {
            guard let lineEnd = data[index...].range(of: Data("\r\n".utf8)),
                  let size = Int(String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16) else {
                throw RawClientError.malformed("bad chunk size line")
            }
            if size == 0 { return out }
            let start = lineEnd.upperBound
            guard data.endIndex - start >= size + 2 else { throw RawClientError.malformed("chunk cut short") }
            out.append(data[start..<(start + size)])
            index = start + size + 2
        }
    }
}
