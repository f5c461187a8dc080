/// A parsed media type with parameters, e.g. `application/json;as=Table;v=v1;g=meta.k8s.io`.
struct MediaType: Sendable, Equatable {
    var type: String
    var subtype: String
    var parameters: [String: String]

    var essence: String { "\(type)/\(subtype)" }

    init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type; self.subtype = subtype; self.parameters = parameters
    }

    init?(parsing text: Substring) {
        // Split on bytes (";", "/" and "=" are ASCII): Character splitting dominated this parser.
        let pieces = text.utf8.split(separator: UInt8(ascii: ";")).map { Substring($0) }
        guard let head = pieces.first else { return nil }
        let essence = head.trimmingSpaces().lowercased()
        let halves = essence.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 1).map { Substring($0) }
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { return nil }
        type = String(halves[0])
        subtype = String(halves[1])
        parameters = [:]
        for piece in pieces.dropFirst() {
            let kv = piece.utf8.split(separator: UInt8(ascii: "="), maxSplits: 1).map { Substring($0) }
            guard kv.count == 2 else { continue }
            let key = kv[0].trimmingSpaces().lowercased()
            var value = String(kv[1].trimmingSpaces())
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[key] = value
        }
    }

    /// Parses a comma-separated Accept header; an absent or empty header means `*/*`.
    static func parseList(_ header: String?) -> [MediaType] {
        guard let header, !header[...].trimmingSpaces().isEmpty else { return [MediaType(type: "*", subtype: "*")] }
        return header.split(separator: ",").compactMap { MediaType(parsing: $0) }
            .filter { ($0.parameters["q"].flatMap(Double.init) ?? 1) > 0 }
    }
}

fileprivate extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace), natively: Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString and showed up in every request's profile.
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
