import XCTest
@testable import APIMachinery

/// Every message shape of NameValidation, texts as in upstream util/validation.
final class ValidationNameTests: XCTestCase {
    let subdomainRegex = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    let labelRegex = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    let qualifiedNameRegex = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    func testDNS1123Subdomain() {
        for ok in ["a", "ab", "a-b", "0", "a.b", "a.b.c", "1.2.3", String(repeating: "a", count: 253)] {
            XCTAssertEqual(NameValidation.isDNS1123Subdomain(ok), [], ok)
        }
        for bad in ["", "A", "a_b", "-a", "a-", "a..b", ".a", "a.", "a@b", "ä"] {
            XCTAssertEqual(NameValidation.isDNS1123Subdomain(bad), [subdomainRegex], bad)
        }
        XCTAssertEqual(NameValidation.isDNS1123Subdomain(String(repeating: "a", count: 254)), ["must be no more than 253 characters"])
    }

    func testDNS1123Label() {
        XCTAssertEqual(NameValidation.isDNS1123Label("my-name"), [])
        XCTAssertEqual(NameValidation.isDNS1123Label("123-abc"), [])
        XCTAssertEqual(NameValidation.isDNS1123Label("a.b"), ["must not contain dots"])
        XCTAssertEqual(NameValidation.isDNS1123Label("A"), [labelRegex])
        XCTAssertEqual(NameValidation.isDNS1123Label(String(repeating: "a", count: 64)), ["must be no more than 63 characters"])
        XCTAssertEqual(NameValidation.isDNS1123Label(String(repeating: "a", count: 64) + "-"), ["must be no more than 63 characters", labelRegex])
    }

    func testDNS1035Label() {
        XCTAssertEqual(NameValidation.isDNS1035Label("abc-123"), [])
        let msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        XCTAssertEqual(NameValidation.isDNS1035Label("1abc"), [msg])
        XCTAssertEqual(NameValidation.isDNS1035Label("a.b"), [msg])
        XCTAssertEqual(NameValidation.isDNS1035Label(String(repeating: "a", count: 64)), ["must be no more than 63 characters"])
    }

    func testQualifiedName() {
        for ok in ["simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple", "example.com/Now-With.Dots_and_underscores", "a/b", String(repeating: "a", count: 63)] {
            XCTAssertEqual(NameValidation.isQualifiedName(ok), [], ok)
        }
        XCTAssertEqual(NameValidation.isQualifiedName("nospecialchars%^=@"), [qualifiedNameRegex])
        XCTAssertEqual(NameValidation.isQualifiedName("-a"), [qualifiedNameRegex])
        XCTAssertEqual(NameValidation.isQualifiedName(""), ["name part must be non-empty", qualifiedNameRegex])
        XCTAssertEqual(NameValidation.isQualifiedName(String(repeating: "a", count: 64)), ["name part must be no more than 63 characters"])
        XCTAssertEqual(NameValidation.isQualifiedName("/a"), ["prefix part must be non-empty"])
        XCTAssertEqual(NameValidation.isQualifiedName("Example.com/a"), ["prefix part " + subdomainRegex])
        XCTAssertEqual(NameValidation.isQualifiedName("a/"), ["name part must be non-empty", qualifiedNameRegex])
        XCTAssertEqual(NameValidation.isQualifiedName("a/b/c"), [
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ])
    }

    func testLabelValue() {
        for ok in ["", "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "Aa_b.c"] {
            XCTAssertEqual(NameValidation.isValidLabelValue(ok), [], ok)
        }
        let msg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        XCTAssertEqual(NameValidation.isValidLabelValue("-a"), [msg])
        XCTAssertEqual(NameValidation.isValidLabelValue("a b"), [msg])
        XCTAssertEqual(NameValidation.isValidLabelValue(String(repeating: "a", count: 64)), ["must be no more than 63 characters"])
    }

    func testIdentifiersAndKeys() {
        XCTAssertEqual(NameValidation.isCIdentifier("_a1"), [])
        XCTAssertEqual(NameValidation.isCIdentifier("1a"), ["a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"])
        let envMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
        XCTAssertEqual(NameValidation.isEnvVarName("MY_VAR.x-1"), [])
        XCTAssertEqual(NameValidation.isEnvVarName("1A"), [envMsg])
        XCTAssertEqual(NameValidation.isEnvVarName("A=B"), [envMsg])
        XCTAssertEqual(NameValidation.isEnvVarName("."), ["must not be '.'"])
        XCTAssertEqual(NameValidation.isEnvVarName(".."), ["must not be '..'"])
        XCTAssertEqual(NameValidation.isEnvVarName("..a"), ["must not start with '..'"])
        let keyMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        XCTAssertEqual(NameValidation.isConfigMapKey("app.properties"), [])
        XCTAssertEqual(NameValidation.isConfigMapKey("a/b"), [keyMsg])
        XCTAssertEqual(NameValidation.isConfigMapKey(""), [keyMsg])
        XCTAssertEqual(NameValidation.isConfigMapKey(".."), ["must not be '..'"])
        XCTAssertEqual(NameValidation.isConfigMapKey(String(repeating: "a", count: 254)), ["must be no more than 253 characters"])
    }

    func testPorts() {
        XCTAssertEqual(NameValidation.isValidPortName("http"), [])
        XCTAssertEqual(NameValidation.isValidPortName("h-2"), [])
        XCTAssertEqual(NameValidation.isValidPortName("toolongportname16"), ["must be no more than 15 characters"])
        XCTAssertEqual(NameValidation.isValidPortName("Http"), ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"])
        XCTAssertEqual(NameValidation.isValidPortName("123"), ["must contain at least one letter (a-z)"])
        XCTAssertEqual(NameValidation.isValidPortName("a--b"), ["must not contain consecutive hyphens"])
        XCTAssertEqual(NameValidation.isValidPortName("-ab"), ["must not begin or end with a hyphen"])
        XCTAssertEqual(NameValidation.isValidPortName(""), ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"])
        XCTAssertEqual(NameValidation.isValidPortNum(80), [])
        XCTAssertEqual(NameValidation.isValidPortNum(0), ["must be between 1 and 65535, inclusive"])
        XCTAssertEqual(NameValidation.isValidPortNum(65536), ["must be between 1 and 65535, inclusive"])
        XCTAssertEqual(NameValidation.isInRange(5, 0, 4), ["must be between 0 and 4, inclusive"])
    }

    func testIPAddresses() {
        for ok in ["10.9.8.7", "0.0.0.0", "255.255.255.255", "010.001.0.1", "::", "::1", "2001:db8::ffff", "fe80::1:2", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1::", "1:2:3:4:5:6:1.2.3.4"] {
            XCTAssertEqual(NameValidation.isValidIP(ok), [], ok)
        }
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", "a", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "fe80::1%eth0", "1:2:3:4:5:6:7::8:9"] {
            XCTAssertEqual(NameValidation.isValidIP(bad), ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"], bad)
        }
        XCTAssertTrue(NameValidation.isValidIPv4("1.2.3.4"))
        XCTAssertFalse(NameValidation.isValidIPv4("::1"))
    }

    func testPathSegmentNames() {
        XCTAssertEqual(NameValidation.validatePathSegmentName("ok:name", prefix: false), [])
        XCTAssertEqual(NameValidation.validatePathSegmentName(".", prefix: false), ["may not be '.'"])
        XCTAssertEqual(NameValidation.validatePathSegmentName("..", prefix: false), ["may not be '..'"])
        XCTAssertEqual(NameValidation.validatePathSegmentName("..", prefix: true), [])
        XCTAssertEqual(NameValidation.validatePathSegmentName("a/b%c", prefix: false), ["may not contain '/'", "may not contain '%'"])
        XCTAssertEqual(NameValidation.validatePathSegmentName("a%", prefix: true), ["may not contain '%'"])
    }

    func testNameValidatorsForGenerateName() {
        XCTAssertEqual(NameValidation.nameIsDNSSubdomain("web-", true), [])
        XCTAssertEqual(NameValidation.nameIsDNSSubdomain("web-", false), [subdomainRegex])
        XCTAssertEqual(NameValidation.nameIsDNSLabel("a.b", false), ["must not contain dots"])
        XCTAssertEqual(NameValidation.nameIsDNS1035Label("1a-", true).count, 1)
        XCTAssertEqual(NameValidation.nameIsPathSegment("a/b", false), ["may not contain '/'"])
        XCTAssertEqual(NameValidation.maskTrailingDash("ab-"), "aa")
    }
}
