import XCTest
final class CollectorsTestsPlaceholder: XCTestCase { func testBuilds() {} }
