import XCTest
final class CollectionFrameworkTestsPlaceholder: XCTestCase { func testBuilds() {} }
