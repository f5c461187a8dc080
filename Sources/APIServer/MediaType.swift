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
        let pieces = text.splitASCII(";", omittingEmptySubsequences: true)
        guard let head = pieces.first else { return nil }
        let essence = head.trimmingASCIIWhitespace().lowercased()
        let halves = essence.splitASCII("/", maxSplits: 1, omittingEmptySubsequences: true)
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { return nil }
        type = String(halves[0])
        subtype = String(halves[1])
        parameters = [:]
        for piece in pieces.dropFirst() {
            let kv = piece.splitASCII("=", maxSplits: 1, omittingEmptySubsequences: true)
            guard kv.count == 2 else { continue }
            let key = kv[0].trimmingASCIIWhitespace().lowercased()
            var value = String(kv[1].trimmingASCIIWhitespace())
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[key] = value
        }
    }

    /// Parses a comma-separated Accept header; an absent or empty header means `*/*`.
    static func parseList(_ header: String?) -> [MediaType] {
        guard let header, !header[...].trimmingASCIIWhitespace().isEmpty else { return [MediaType(type: "*", subtype: "*")] }
        return header.splitASCII(",", omittingEmptySubsequences: true).compactMap { MediaType(parsing: $0) }
            .filter { ($0.parameters["q"].flatMap(Double.init) ?? 1) > 0 }
    }
}

import Foundation
