/// The projections every node keeps and `streamflow replay rebuild` checks.
public enum BuiltInProjections {
    public static var all: [any Projection] {
        [EventCountsProjection(), StreamsProjection(), TicketBookProjection(), DisputesProjection(), PaymentsLedgerProjection(),
         SchedulingProjection()]
    }

    /// What an orchestrator node's host runs: the built-ins and the fee ledger (kept apart from `all` so the
    /// recorded reference scenario's summary stays as committed).
    public static var node: [any Projection] { all + [FeeLedgerProjection()] }
}
