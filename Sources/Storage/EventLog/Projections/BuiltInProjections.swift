/// The projections every node keeps and `streamflow replay rebuild` checks.
public enum BuiltInProjections {
    public static var all: [any Projection] {
        [EventCountsProjection(), StreamsProjection(), TicketBookProjection(), DisputesProjection(), PaymentsLedgerProjection(),
         SchedulingProjection()]
    }
}
