import CollectionFramework
import XCTest

/// `storage.sse` and `storage.kms_key_id` in collectors.yaml, as the S3 store's encryption.
final class StorageEncryptionConfigTests: XCTestCase {
    func parse(_ yaml: String) throws -> ScraperConfiguration {
        try ScraperConfiguration.parse(yaml, file: "collectors.yaml", environment: "dev", variables: [:], knownTypes: ["miso.cts"])
    }

    func s3Options(_ yaml: String) throws -> S3StoreOptions? {
        guard case .s3(let options) = try parse(yaml).settings.resolved().storage else { return nil }
        return options
    }

    func testSSEKMSWithAKeyAndSSES3AreReadFromStorage() throws {
        XCTAssertEqual(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1, sse: aws:kms, kms_key_id: alias/scraper}\n")?.serverSideEncryption,
                       .kms(keyID: "alias/scraper"))
        XCTAssertEqual(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1, sse: aws:kms}\n")?.serverSideEncryption, .kms(keyID: nil))
        XCTAssertEqual(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1, sse: AES256}\n")?.serverSideEncryption, .aes256)
        XCTAssertNil(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1}\n")?.serverSideEncryption, "nil: the bucket's default encryption")
    }

    func testUnknownEncryptionAndAKeyWithoutKMSAreRefusedWithTheFix() throws {
        XCTAssertThrowsError(try parse("defaults:\n  storage: {type: s3, bucket: b-1, sse: kms}\n")) { error in
            XCTAssertTrue("\(error)".contains("storage.sse must be one of AES256, aws:kms, not \"kms\""), "\(error)")
        }
        XCTAssertThrowsError(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1, kms_key_id: alias/x}\n")) { error in
            XCTAssertTrue("\(error)".contains("set storage.sse to aws:kms"), "\(error)")
        }
        XCTAssertThrowsError(try s3Options("defaults:\n  storage: {type: s3, bucket: b-1, sse: AES256, kms_key_id: alias/x}\n")) { error in
            XCTAssertTrue("\(error)".contains("the encryption is AES256"), "\(error)")
        }
    }
}
