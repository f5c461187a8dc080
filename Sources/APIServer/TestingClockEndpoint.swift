import APIMachinery
import Foundation
import HTTPServer

/// What `serve --testing-clock` lets a test do to the cluster's clock.
public protocol TestingClock: Sendable {
    func now() -> Date
    /// Seconds the cluster's clock is ahead of the wall clock.
    var offset: TimeInterval { get }
    func advance(by interval: TimeInterval)
}

/// `/kubelite/testing/clock`, served only with `--testing-clock` (a 404 otherwise, as any unknown
/// path): GET shows the cluster's time and its offset from the wall clock; POST with
/// `{"advanceSeconds": N}` moves it forward by N seconds (fractions allowed, never backwards).
public enum TestingClockEndpoint {
    public static let path = "/kubelite/testing/clock"

    static func serve(_ request: HTTPRequest, clock: any TestingClock) throws(APIError) -> HTTPResponse {
        switch request.method {
        case "GET": break
        case "POST":
            let body: JSON
            do { body = try JSONParser.parse(request.body).value } catch {
                throw APIError.badRequest("the body must be a JSON object with advanceSeconds")
            }
            let seconds: Double?
            switch body["advanceSeconds"] {
            case .int(let i)?: seconds = Double(i)
            case .double(let d)?: seconds = d
            default: seconds = nil
            }
            guard let seconds, seconds >= 0, seconds.isFinite else {
                throw APIError.badRequest("advanceSeconds must be a number of seconds, 0 or more")
            }
            clock.advance(by: seconds)
        default:
            throw APIError.methodNotAllowed
        }
        let answer: JSON = ["now": .string(Timestamp.format(clock.now())), "offsetSeconds": .double(clock.offset)]
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(JSONWriter.encodeString(answer).utf8))
    }
}
