public import EventLog
import Projections
import EthCrypto
import JSONCore
import EventSchemas

/// Every stored projection as one pretty JSON document (the "expected projection summary" of a
/// recorded scenario in Replay/).
public enum ProjectionSummary {
    public static func json(log: EventLog) throws -> String {
        var document: [String: JSONValue] = [:]
        for (name, stored) in try ProjectionReplay.storedStatesByName(log: log) {
            document[name] = try JSONParser.parse(stored.1)
            document["checkpoint"] = .integer(Int64(stored.0))
        }
        document["head"] = .object(["sequence": .integer(Int64(log.head.sequence)), "hash": .string(log.head.hash.hex)])
        return PrettyJSON.render(.object(document))
    }
}
