import XCTest

// XCTest's assertions take synchronous autoclosures; these take `async` ones, so a test can
// assert on an `await`ed value in one line: `await XCTAssertEqualAsync(try await registry.count(datasetGroup: "g"), 1)`.
// A thrown error fails the test with the error, as XCTest's own assertions do.

public func XCTAssertEqualAsync<T: Equatable>(_ expression1: @autoclosure () async throws -> T, _ expression2: @autoclosure () async throws -> T,
                                              _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) async {
    do {
        let (a, b) = (try await expression1(), try await expression2())
        XCTAssertEqual(a, b, message(), file: file, line: line)
    } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

public func XCTAssertTrueAsync(_ expression: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String = "",
                               file: StaticString = #filePath, line: UInt = #line) async {
    do { let value = try await expression(); XCTAssertTrue(value, message(), file: file, line: line) } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

public func XCTAssertFalseAsync(_ expression: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String = "",
                                file: StaticString = #filePath, line: UInt = #line) async {
    do { let value = try await expression(); XCTAssertFalse(value, message(), file: file, line: line) } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

public func XCTAssertNilAsync<T>(_ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
                                 file: StaticString = #filePath, line: UInt = #line) async {
    do { let value = try await expression(); XCTAssertNil(value, message(), file: file, line: line) } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

public func XCTAssertNotNilAsync<T>(_ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
                                    file: StaticString = #filePath, line: UInt = #line) async {
    do { let value = try await expression(); XCTAssertNotNil(value, message(), file: file, line: line) } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

/// Fails unless `expression` throws; hands the error to `handler`.
public func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
                                         file: StaticString = #filePath, line: UInt = #line,
                                         _ handler: (_ error: any Error) -> Void = { _ in }) async {
    do {
        _ = try await expression()
        XCTFail("did not throw: \(message())", file: file, line: line)
    } catch {
        handler(error)
    }
}

public func XCTAssertNoThrowAsync<T>(_ expression: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
                                     file: StaticString = #filePath, line: UInt = #line) async {
    do { _ = try await expression() } catch {
        XCTFail("threw \(error): \(message())", file: file, line: line)
    }
}

/// The value of `expression`, or a thrown failure when it is nil.
public func XCTUnwrapAsync<T>(_ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
                              file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    let value = try await expression()
    return try XCTUnwrap(value, message(), file: file, line: line)
}
