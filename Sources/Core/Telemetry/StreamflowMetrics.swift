/// Every metric Streamflow exports, in one place: its Prometheus name, kind, label names and help text.
/// A name always carries the same label names (Prometheus refuses a family with mixed label sets).
public enum StreamflowMetrics {
    /// What a metric is in Prometheus terms.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// One exported metric: name, kind, label names (possibly none) and one line of help.
    public struct Metric: Sendable, Hashable {
        public let name: String
        public let kind: Kind
        public let labels: [String]
        public let help: String
    }

    /// Every metric, for the HELP lines and the docs.
    public static let all: [Metric] = Metric.catalog

    /// Histogram buckets in seconds: 2 s segments should transcode and round-trip well under their duration, so the
    /// buckets are dense around 0.25–4 s and reach 30 s for stalls.
    public static let secondsBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .milliseconds(750), .seconds(1), .milliseconds(1_500),
        .seconds(2), .seconds(3), .seconds(4), .seconds(6), .seconds(10), .seconds(30),
    ]
}

/// The metrics themselves (`.orchestratorSegmentsReceived` wherever a `Metric` is expected).
extension StreamflowMetrics.Metric {
    // MARK: Orchestrator

    /// Segment requests that reached the orchestrator (POST /segment), accepted or not.
    public static let orchestratorSegmentsReceived = Self(
        name: "streamflow_orchestrator_segments_received_total", kind: .counter, labels: [],
        help: "Segment requests received (POST /segment), accepted or refused.")
    /// Segments transcoded and answered with a signed result.
    public static let orchestratorSegmentsTranscoded = Self(
        name: "streamflow_orchestrator_segments_transcoded_total", kind: .counter, labels: [],
        help: "Segments transcoded and answered with a signed result.")
    /// Segments refused at intake; `reason` is `SegmentRefusal.reason` (e.g. bad-auth-token, payment-failed).
    public static let orchestratorSegmentsRefused = Self(
        name: "streamflow_orchestrator_segments_refused_total", kind: .counter, labels: ["reason"],
        help: "Segments refused at intake, by reason.")
    /// Segments accepted whose transcode failed (answered with a TranscodeResult error).
    public static let orchestratorSegmentsFailed = Self(
        name: "streamflow_orchestrator_segments_failed_total", kind: .counter, labels: [],
        help: "Segments accepted whose transcode failed.")
    /// Seconds from handing a segment to its transcoder to its signed result.
    public static let orchestratorTranscodeSeconds = Self(
        name: "streamflow_orchestrator_transcode_seconds", kind: .histogram, labels: [],
        help: "Seconds to transcode and sign one segment.")
    /// Tickets accepted into the ledger (credited).
    public static let orchestratorTicketsReceived = Self(
        name: "streamflow_orchestrator_tickets_received_total", kind: .counter, labels: [],
        help: "Tickets received and credited.")
    /// Accepted tickets that won the lottery.
    public static let orchestratorTicketsWon = Self(
        name: "streamflow_orchestrator_tickets_won_total", kind: .counter, labels: [],
        help: "Tickets received that won the lottery.")
    /// Tickets refused; `reason` is the ticket.rejected reason (e.g. nonce-replayed, bad-signature, malformed).
    public static let orchestratorTicketsRejected = Self(
        name: "streamflow_orchestrator_tickets_rejected_total", kind: .counter, labels: ["reason"],
        help: "Tickets rejected, by reason.")
    /// Face value (wei) of the ticket params last offered to a broadcaster.
    public static let orchestratorFaceValue = Self(
        name: "streamflow_orchestrator_ticket_face_value_wei", kind: .gauge, labels: [],
        help: "Face value in wei of the ticket params last offered.")
    /// Win probability (winProb / 2^256-1) of the ticket params last offered.
    public static let orchestratorWinProbability = Self(
        name: "streamflow_orchestrator_ticket_win_probability", kind: .gauge, labels: [],
        help: "Win probability of the ticket params last offered.")

    // MARK: Broadcaster

    /// Segments the broadcaster started sending.
    public static let broadcasterSegmentsSent = Self(
        name: "streamflow_broadcaster_segments_sent_total", kind: .counter, labels: [],
        help: "Segments the broadcaster started sending.")
    /// Segments delivered: transcoded, fetched and verified.
    public static let broadcasterSegmentsDelivered = Self(
        name: "streamflow_broadcaster_segments_delivered_total", kind: .counter, labels: [],
        help: "Segments delivered with verified renditions.")
    /// Failed attempts (each suspends that orchestrator and fails over); `orchestrator` is its URL.
    public static let broadcasterSegmentsFailed = Self(
        name: "streamflow_broadcaster_segment_failures_total", kind: .counter, labels: ["orchestrator"],
        help: "Failed segment attempts (the orchestrator is suspended), by orchestrator URL.")
    /// Segments lost: every attempt failed.
    public static let broadcasterSegmentsLost = Self(
        name: "streamflow_broadcaster_segments_lost_total", kind: .counter, labels: [],
        help: "Segments lost after every attempt failed.")
    /// Seconds of a successful attempt: params, payment, POST, renditions fetched and verified.
    public static let broadcasterRoundTripSeconds = Self(
        name: "streamflow_broadcaster_segment_round_trip_seconds", kind: .histogram, labels: [],
        help: "Seconds from asking for ticket params to verified renditions, for delivered segments.")
    /// Tickets signed and sent in payments.
    public static let broadcasterTicketsSent = Self(
        name: "streamflow_broadcaster_tickets_sent_total", kind: .counter, labels: [],
        help: "Tickets signed and sent in payments.")
    /// Face value (wei) of the ticket params last received from each orchestrator.
    public static let broadcasterFaceValue = Self(
        name: "streamflow_broadcaster_ticket_face_value_wei", kind: .gauge, labels: ["orchestrator"],
        help: "Face value in wei of the ticket params last received, by orchestrator URL.")
    /// Win probability of the ticket params last received from each orchestrator.
    public static let broadcasterWinProbability = Self(
        name: "streamflow_broadcaster_ticket_win_probability", kind: .gauge, labels: ["orchestrator"],
        help: "Win probability of the ticket params last received, by orchestrator URL.")

    // MARK: Redeemer

    /// Redemption transactions; `outcome` is confirmed or failed.
    public static let redeemerTransactions = Self(
        name: "streamflow_redeemer_transactions_total", kind: .counter, labels: ["outcome"],
        help: "Redemption transactions, by outcome (confirmed, failed).")
    /// Winning tickets paid on chain.
    public static let redeemerTicketsRedeemed = Self(
        name: "streamflow_redeemer_tickets_redeemed_total", kind: .counter, labels: [],
        help: "Winning tickets redeemed on chain.")
    /// Winning tickets recorded expired (validity passed or refused by the chain).
    public static let redeemerTicketsExpired = Self(
        name: "streamflow_redeemer_tickets_expired_total", kind: .counter, labels: [],
        help: "Winning tickets recorded expired.")
    /// Gas used by redemption transactions.
    public static let redeemerGasUsed = Self(
        name: "streamflow_redeemer_gas_used_total", kind: .counter, labels: [],
        help: "Gas used by redemption transactions.")
    /// The gas price (wei) of the redeemer's last step.
    public static let redeemerGasPrice = Self(
        name: "streamflow_redeemer_gas_price_wei", kind: .gauge, labels: [],
        help: "Gas price in wei at the redeemer's last step.")

    // MARK: Edge (every HTTP and gRPC server of a node)

    /// Requests refused before their body was read; `reason` is `BodyRefusal.reason` (over-body-budget, body-too-large).
    public static let edgeRequestsRefused = Self(
        name: "streamflow_edge_requests_refused_total", kind: .counter, labels: ["reason"],
        help: "Requests refused before their body was read (node-wide body budget, per-request limit), by reason.")
    /// Connections refused or closed by the connection limits; `reason` is `ConnectionRefusal.reason`.
    public static let edgeConnectionsRefused = Self(
        name: "streamflow_edge_connections_refused_total", kind: .counter, labels: ["listener", "reason"],
        help: "Connections refused or closed by the limits (listener or address full, evicted, no request in time), by listener and reason.")

    // MARK: Event log (every sink a node writes through)

    /// Events a node could not make durable: `kind` is `persist` (a request answered 503, nothing acknowledged) or
    /// `emit` (a bookkeeping event lost); any of them marks the node unhealthy.
    public static let eventsNotDurable = Self(
        name: "streamflow_events_not_durable_total", kind: .counter, labels: ["kind"],
        help: "Events the node's sink refused or could not make durable (persist: the request was refused; emit: a bookkeeping event was lost).")

    static let catalog: [Self] = [
        orchestratorSegmentsReceived, orchestratorSegmentsTranscoded, orchestratorSegmentsRefused, orchestratorSegmentsFailed,
        orchestratorTranscodeSeconds, orchestratorTicketsReceived, orchestratorTicketsWon, orchestratorTicketsRejected,
        orchestratorFaceValue, orchestratorWinProbability,
        broadcasterSegmentsSent, broadcasterSegmentsDelivered, broadcasterSegmentsFailed, broadcasterSegmentsLost,
        broadcasterRoundTripSeconds, broadcasterTicketsSent, broadcasterFaceValue, broadcasterWinProbability,
        redeemerTransactions, redeemerTicketsRedeemed, redeemerTicketsExpired, redeemerGasUsed, redeemerGasPrice,
        edgeRequestsRefused, edgeConnectionsRefused, eventsNotDurable,
    ]
}
