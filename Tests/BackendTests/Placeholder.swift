import XCTest
final class BackendTestsPlaceholder: XCTestCase { func testBuilds() {} }
