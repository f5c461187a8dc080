import XCTest
@testable import APIMachinery

/// Cases taken from upstream's quantity_test.go (TestQuantityParse, TestQuantityString,
/// TestQuantityParseEmit) plus the canonicalisation examples API users meet daily.
final class QuantityTests: XCTestCase {
    private func q(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> Quantity {
        do { return try Quantity(parsing: s) } catch {
            XCTFail("\(s): \(error)", file: file, line: line)
            return Quantity(0)
        }
    }

    func testParseValues() {
        // (input, expected value as digits × 10^exponent, format)
        let table: [(String, Int64, Int, Quantity.Format)] = [
            ("0", 0, 0, .decimalSI), ("0n", 0, 0, .decimalSI), ("0Ki", 0, 0, .binarySI), ("0T", 0, 0, .decimalSI),
            ("1", 1, 0, .decimalSI), ("1Ki", 1024, 0, .binarySI), ("8Ki", 8 * 1024, 0, .binarySI),
            ("7Mi", 7 * 1024 * 1024, 0, .binarySI), ("6Gi", 6 << 30, 0, .binarySI), ("5Ti", 5 << 40, 0, .binarySI),
            ("4Pi", 4 << 50, 0, .binarySI), ("3Ei", 3 << 60, 0, .binarySI), ("100Ti", 100 << 40, 0, .binarySI),
            ("5n", 5, -9, .decimalSI), ("4u", 4, -6, .decimalSI), ("3m", 3, -3, .decimalSI), ("8k", 8, 3, .decimalSI),
            ("50k", 5, 4, .decimalSI), ("7M", 7, 6, .decimalSI), ("6G", 6, 9, .decimalSI), ("5T", 5, 12, .decimalSI),
            ("40T", 4, 13, .decimalSI), ("2P", 2, 15, .decimalSI), ("1E", 1, 18, .decimalSI),
            ("1E-3", 1, -3, .decimalExponent), ("1e3", 1, 3, .decimalExponent), ("1E6", 1, 6, .decimalExponent),
            ("1e14", 1, 14, .decimalExponent), ("100.035k", 100035, 0, .decimalSI),
            ("0.001", 1, -3, .decimalSI), ("0.0005k", 5, -1, .decimalSI), ("0.5", 5, -1, .decimalSI),
            ("0.00050k", 5, -1, .decimalSI), ("0.5e0", 5, -1, .decimalExponent), ("0.5e-2", 5, -3, .decimalExponent),
            ("10.035M", 10035, 3, .decimalSI), ("1.2e3", 12, 2, .decimalExponent), ("1.3E+6", 13, 5, .decimalExponent),
            ("1.53E12", 153, 10, .decimalExponent), ("1.7E18", 17, 17, .decimalExponent), ("9.01", 901, -2, .decimalSI),
            ("7.123456M", 7123456, 0, .decimalSI), ("6.987654321G", 6987654321, 0, .decimalSI), ("1.01E", 101, 16, .decimalSI),
            // rounding up to nano, saturation
            ("3.001n", 4, -9, .decimalSI), ("1.1E-9", 2, -9, .decimalExponent), ("0.0000000001", 1, -9, .decimalSI),
            ("0.0000000005", 1, -9, .decimalSI), ("0.5e-9", 1, -9, .decimalExponent), ("0.9n", 1, -9, .decimalSI),
            ("0.00000012345", 124, -9, .decimalSI), ("9Ei", Int64.max, 0, .binarySI),
            ("9223372036854775807Ki", Int64.max, 0, .binarySI), ("12E", 12, 18, .decimalSI),
            ("100.035Ki", 10243584, -2, .binarySI), ("0.5Mi", 524288, 0, .binarySI), ("0.05Gi", 536870912, -1, .binarySI),
            ("0.025Ti", 274877906944, -1, .binarySI),
            ("0.000000000001Ki", 2, -9, .decimalSI), (".001", 1, -3, .decimalSI), (".0001k", 100, -3, .decimalSI),
            ("1.", 1, 0, .decimalSI), ("1.G", 1, 9, .decimalSI),
        ]
        for (input, digits, exponent, format) in table {
            let expected = Quantity(amount: DecimalAmount(digits, exponent: exponent), format: format)
            for (prefix, negate) in [("", false), ("+", false), ("-", true)] {
                let parsed = q(prefix + input)
                XCTAssertEqual(parsed, negate ? Quantity(amount: expected.amount.negated(), format: format) : expected, prefix + input)
                XCTAssertEqual(parsed.format, format, prefix + input)
            }
        }
    }

    func testParseErrors() {
        let formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        for input in ["", "1.1.M", "1+1.0M", "aoeu", " 1", "1 ", "1KiB", "-3.01e-x", "0.1am", "1e3m"] {
            XCTAssertThrowsError(try Quantity(parsing: input), input) { XCTAssertEqual("\($0)", formatWrong, input) }
        }
        for input in ["0.1mi", ".5i", "1i", "-3.01i", "-3.01e-", "1kk", "1e", "1e4294967297", "--1"] {
            XCTAssertThrowsError(try Quantity(parsing: input), input) { XCTAssertEqual("\($0)", "unable to parse quantity's suffix", input) }
        }
        XCTAssertEqual("\(QuantityParseError.numeric)", "unable to parse numeric part of quantity")
    }

    func testCanonicalForms() {
        let table: [(String, String)] = [
            ("1Ki", "1Ki"), ("1Mi", "1Mi"), ("1024Mi", "1Gi"), ("1000M", "1G"), (".001Ki", "1024m"),
            (".000001Ki", "1024u"), (".000000001Ki", "1024n"), (".000000000001Ki", "2n"),
            ("0.5Gi", "512Mi"), ("1.5Gi", "1536Mi"), ("1000m", "1"), ("100Mi", "100Mi"), ("1.5", "1500m"),
            ("1e3", "1e3"), ("1E3", "1E3"), ("1000e0", "1e3"), ("0.5", "500m"), ("100m", "100m"), ("0.1", "100m"),
            ("1080m", "1080m"), ("1.08", "1080m"), ("1000u", "1m"), ("0.001e0", "1e-3"), ("1000e-12", "1e-9"),
            (".001e12", "1e9"), ("1000E", "1e21"), ("5000E", "5e21"), ("0.001T", "1G"), ("307200Ki", "300Mi"),
            ("5000m", "5"), ("1025024Mi", "1001Gi"), ("0", "0"), ("00", "0"), ("-0", "0"), ("0Ki", "0"),
            ("1.1Ki", "1126400m"), ("2000", "2k"), ("1500", "1500"), ("2000m", "2"), ("512Ki", "512Ki"),
            ("1024Ki", "1Mi"), ("1536Ki", "1536Ki"), ("9Ei", "9223372036854775807"), ("8Ei", "9223372036854775807"), ("7Ei", "7Ei"), ("4096Pi", "4Ei"), ("01Ki", "01Ki"), ("1.Ki", "1.Ki"), ("0.5Ki", "512"), ("1.5k", "1500"),
            ("+1Ki", "+1Ki"), ("-1Ki", "-1Ki"), ("-1.5", "-1500m"), ("-0.5Gi", "-512Mi"),
        ]
        for (input, expected) in table {
            XCTAssertEqual(q(input).canonical, expected, input)
        }
    }

    func testNumericAccessors() {
        XCTAssertEqual(q("1.5").milliValue, 1500)
        XCTAssertEqual(q("100m").milliValue, 100)
        XCTAssertEqual(q("1n").milliValue, 1)
        XCTAssertEqual(q("-1n").milliValue, -1)
        XCTAssertEqual(q("1Gi").int64Value, 1 << 30)
        XCTAssertEqual(q("1.2").int64Value, 2)
        XCTAssertEqual(q("100E").int64Value, Int64.max)
        XCTAssertEqual(q("250m").value, 0.25, accuracy: 1e-12)
        XCTAssertEqual(q("1Ki").scaledValue(3), 2)
        XCTAssertTrue(q("-1").isNegative)
        XCTAssertFalse(q("-0").isNegative)
        XCTAssertTrue(q("0m").isZero)
        XCTAssertEqual(Quantity(milliValue: 1500).canonical, "1500m")
        XCTAssertEqual(Quantity(3, format: .binarySI).canonical, "3")
        XCTAssertEqual(Quantity(2048, format: .binarySI).canonical, "2Ki")
    }

    func testComparison() {
        XCTAssertEqual(q("0").compare(q("0")), 0)
        XCTAssertEqual(q("100m").compare(q("50m")), 1)
        XCTAssertEqual(q("50m").compare(q("100m")), -1)
        XCTAssertEqual(q("10000T").compare(q("100Gi")), 1)
        XCTAssertEqual(q("1Gi"), q("1024Mi"))
        XCTAssertEqual(q("1"), q("1000m"))
        XCTAssertLessThan(q("-1"), q("0"))
        XCTAssertLessThan(q("-2"), q("-1"))
        XCTAssertLessThan(q("1e-9"), q("2n"))
        XCTAssertLessThan(q("999m"), q("1"))
        XCTAssertLessThan(q("1e100"), q("1e101"))
    }

    func testJSON() throws {
        XCTAssertEqual(try Quantity(json: .string(" 1Gi ")).canonical, "1Gi")
        XCTAssertEqual(try Quantity(json: .int(2)).canonical, "2")
        XCTAssertEqual(try Quantity(json: .double(0.5)).canonical, "500m")
        XCTAssertThrowsError(try Quantity(json: .bool(true)))
        XCTAssertEqual(q("1.5").json, .string("1500m"))
    }
}
