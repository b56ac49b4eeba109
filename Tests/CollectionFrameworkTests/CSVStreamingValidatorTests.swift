import CollectionFramework
import Foundation
import XCTest

/// The streaming CSV validator on NYISO's zonal LBMP layout: chunks that split records and quotes,
/// columns found by name (and by an older spelling), and typed failures naming rule, row, column, value.
final class CSVStreamingValidatorTests: XCTestCase {
    static let header = #""Time Stamp","Name","PTID","LBMP ($/MWHr)","Marginal Cost Losses ($/MWHr)","Marginal Cost Congestion ($/MWHr)""#

    private func schema() -> CSVSchema {
        CSVSchema(columns: [.init("Time Stamp"), .init("Name"), .init("LBMP ($/MWHr)"),
                            .init("Marginal Cost Congestion ($/MWHr)", alternatives: ["Marginal Cost Congestion ($/MWH"])],
                  rowRules: [CSVSchema.numeric("LBMP ($/MWHr)", rule: "lbmp_numeric")])
    }

    /// Feeds `text` in chunks of `size` bytes.
    private func validate(_ text: String, chunk size: Int) -> ValidationResult {
        var validator = CSVStreamingValidator(schema: schema())
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            if let failure = validator.consume(Data(bytes[offset..<end])) { return .invalid(failure) }
            offset = end
        }
        return validator.finish()
    }

    func testAGoodFileIsValidWhateverTheChunkBoundaries() {
        let text = Self.header + "\r\n" + #""02/18/2016 00:05:00","CAPITL",61757,21.53,1.69,0.00"# + "\r\n"
            + #""02/18/2016 00:05:00","N.Y.C.",61761,23.10,1.02,-0.50"# + "\r\n"
        for size in [1, 2, 7, 64, 4096] {
            XCTAssertEqual(validate(text, chunk: size), .valid(ValidationReport(recordCount: 2, shape: "csv")), "chunks of \(size)")
        }
        XCTAssertEqual(validate(text.replacingOccurrences(of: "\r\n", with: "\n"), chunk: 5), .valid(ValidationReport(recordCount: 2, shape: "csv")), "LF only")
        let old = text.replacingOccurrences(of: "Congestion ($/MWHr)", with: "Congestion ($/MWH")
        XCTAssertTrue(validate(old, chunk: 3).isValid, "the pre-2016 header spelling is the same column")
        let unterminated = String(text.dropLast(2))
        XCTAssertEqual(validate(unterminated, chunk: 9), .valid(ValidationReport(recordCount: 2, shape: "csv")), "no line break after the last row")
    }

    func testFailuresNameTheRuleRowColumnAndValue() throws {
        let bad = Self.header + "\r\n" + #""02/18/2016 00:05:00","CAPITL",61757,21.53,1.69,0.00"# + "\r\n"
            + #""02/18/2016 00:05:00","WEST",61752,n/a,1.69,0.00"# + "\r\n"
        let failure = try XCTUnwrap(validate(bad, chunk: 11).failure)
        XCTAssertEqual(failure.rule, "lbmp_numeric")
        XCTAssertEqual(failure.recordIndex, 3, "the header is row 1")
        XCTAssertEqual(failure.field, "LBMP ($/MWHr)")
        XCTAssertEqual(failure.values["value"], "n/a")
        XCTAssertEqual(failure.reason, #"row 3, column "LBMP ($/MWHr)": "n/a" is not a number"#)

        let short = Self.header + "\n" + #""02/18/2016 00:05:00","CAPITL",61757,21.53"# + "\n"
        XCTAssertEqual(validate(short, chunk: 4).failure?.rule, "csv_column_count")
        let missing = #""Time Stamp","Name","PTID""# + "\n"
        let header = try XCTUnwrap(validate(missing, chunk: 4).failure)
        XCTAssertEqual(header.rule, "csv_header")
        XCTAssertEqual(header.field, "LBMP ($/MWHr)")
        XCTAssertEqual(validate("", chunk: 4).failure?.rule, "csv_header")
        XCTAssertEqual(validate(Self.header + "\r\n", chunk: 4).failure?.rule, "csv_rows", "a header and no rows")
        let cut = Self.header + "\r\n" + #""02/18/2016 00:05:00","CAPI"#
        XCTAssertEqual(validate(cut, chunk: 6).failure?.rule, "csv_truncated")
    }

    func testTheRowNumberIsTheFailingRowsWhateverTheChunkSize() throws {
        var text = Self.header + "\r\n"
        for i in 0..<40 { text += #""02/18/2016 00:05:00","Z\#(i)",61757,"# + (i == 9 ? "nan" : "21.53") + ",1.69,0.00\r\n" }
        for size in [7, 100, 1 << 20] {
            let failure = try XCTUnwrap(validate(text, chunk: size).failure, "chunks of \(size)")
            XCTAssertEqual(failure.recordIndex, 11, "record 11 (the header is 1), chunks of \(size)")
            XCTAssertEqual(failure.values["value"], "nan", "nan is not a price")
        }
    }

    func testOnlyPlainDecimalsAreNumbers() {
        for good in ["0", "-12.5", "+3", "21.53", "1.2E-3", "7e10"] { XCTAssertTrue(CSVSchema.isPlainDecimal(good), good) }
        for bad in ["", "nan", "NaN", "inf", "-Infinity", "0x1p3", "1e", ".", "1.2.3", "1-2", " 1", "1e400", "--1"] {
            XCTAssertFalse(CSVSchema.isPlainDecimal(bad), bad)
        }
    }

    func testAnOptionalColumnIsReadWhenPresentAndNotRequired() {
        let schema = CSVSchema(columns: [.init("a"), .init("BAA", optional: true)], rowRules: [CSVSchema.numeric("a")])
        var without = CSVStreamingValidator(schema: schema)
        XCTAssertNil(without.consume(Data("a,b\n1,2\n".utf8)))
        XCTAssertTrue(without.finish().isValid)
        var with = CSVStreamingValidator(schema: schema)
        XCTAssertEqual(with.consume(Data("BAA,a\nSPP,x\n".utf8))?.field, "a", "the column is found wherever it stands")
    }

    func testQuotedFieldsKeepCommasQuotesAndLineBreaks() {
        var reader = CSVRecordReader()
        let records = reader.consume(Data("a,\"b, c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,row".utf8))
        XCTAssertEqual(records, [["a", "b, c", "say \"hi\"", "two\nlines"]])
        XCTAssertEqual(reader.finish(), ["last", "row"])
    }
}
