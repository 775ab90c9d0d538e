import EventModel
import JSONCore

/// The broadcaster's checks of returned renditions, and the evidence kept when one fails.
enum VerificationEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "verification.passed", version: 1, topic: .verification, requiredKeys: [.stream, .orchestrator],
            summary: "Every check of a segment's result passed.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address,
                 "checks": Schema.array(Schema.oneOfStrings(["signature", "pixels", "psnr"]), minItems: 1),
                 "pixels": Schema.count],
                required: ["seq", "orchestrator", "checks"])),
        EventDefinition(
            type: "verification.failed", version: 1, topic: .verification, requiredKeys: [.stream, .orchestrator],
            summary: "A check failed; the evidence is enough to replay the dispute.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address,
                 "check": Schema.oneOfStrings(["signature", "pixels", "psnr"]),
                 "evidence": Schema.object(
                    ["segmentHash": Schema.hash32, "resultSig": Schema.hexBytes,
                     "renditionHashes": Schema.array(Schema.hash32), "reportedPixels": Schema.count,
                     "measuredPixels": Schema.count, "psnrMillidecibels": Schema.count, "detail": Schema.string()],
                    required: ["segmentHash"])],
                required: ["seq", "orchestrator", "check", "evidence"])),
    ]
}
