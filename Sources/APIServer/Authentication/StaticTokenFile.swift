import Foundation
import Registry

/// `--token-auth-file` (k8s.io/apiserver's tokenfile authenticator): a CSV file of
/// `token,user,uid[,"group1,group2"]`, read once at start. Records with fewer than three fields stop
/// start-up with upstream's message; an empty token is skipped; a repeated token keeps its last record.
public struct StaticTokenFile: TokenAuthenticator {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let users: [String: UserInfo]

    /// Tokens the file holds (for the start-up log).
    public var count: Int { users.count }

    public static func load(path: String) throws -> StaticTokenFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "open \(path): no such file or directory")
        }
        return try StaticTokenFile(csv: String(decoding: data, as: UTF8.self), path: path)
    }

    init(csv: String, path: String) throws {
        var users: [String: UserInfo] = [:]
        let records: [[String]]
        do { records = try CSVRecords.parse(csv) } catch { throw Failure(description: "\(path): \(error.description)") }
        for record in records {
            guard record.count >= 3 else {
                throw Failure(description: "token file '\(path)' must have at least 3 columns (token, user name, user uid), found \(record.count)")
            }
            if record[0].isEmpty { continue }
            users[record[0]] = UserInfo(username: record[1], uid: record[2],
                                        groups: record.count >= 4 ? record[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [])
        }
        self.users = users
    }

    func authenticate(token: String) -> AuthenticationOutcome {
        users[token].map { .authenticated($0) } ?? .notPresented
    }
}

/// Go's encoding/csv as the token file reader configures it (any number of fields, leading spaces
/// trimmed): quoted fields may hold commas, doubled quotes and newlines; blank lines are skipped.
enum CSVRecords {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws(Failure) -> [[String]] {
        var records: [[String]] = []
        var line = 1
        var chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))[...]
        while !chars.isEmpty {
            if chars.first == "\n" { chars.removeFirst(); line += 1; continue }
            var record: [String] = []
            var endOfRecord = false
            while !endOfRecord {
                while chars.first == " " || chars.first == "\t" { chars.removeFirst() }
                var field = ""
                if chars.first == "\"" {
                    chars.removeFirst()
                    var closed = false
                    while let c = chars.popFirst() {
                        if c == "\"" {
                            if chars.first == "\"" { field.append("\""); chars.removeFirst(); continue }
                            closed = true
                            break
                        }
                        if c == "\n" { line += 1 }
                        field.append(c)
                    }
                    guard closed else { throw Failure(description: "record on line \(line): extraneous or missing \" in quoted-field") }
                    guard chars.isEmpty || chars.first == "," || chars.first == "\n" else {
                        throw Failure(description: "record on line \(line): extraneous or missing \" in quoted-field")
                    }
                } else {
                    while let c = chars.first, c != ",", c != "\n" {
                        if c == "\"" { throw Failure(description: "record on line \(line): bare \" in non-quoted-field") }
                        field.append(c)
                        chars.removeFirst()
                    }
                }
                record.append(field)
                switch chars.popFirst() {
                case ","?: continue
                case "\n"?: line += 1; endOfRecord = true
                default: endOfRecord = true
                }
            }
            records.append(record)
        }
        return records
    }
}
