package io.coffer.core.driver;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.transfer.SweepService;
import io.coffer.core.transfer.WithdrawalLedger;
import java.util.Optional;

/**
 * What a chain is made of once open: its address book, its follower, its withdrawals (UTXO or account, behind one interface),
 * optionally a sweeper (account chains with a sweep policy) and a push source that wakes the follower before its next poll
 * (Bitcoin's ZMQ).
 */
public record ChainParts(AddressBook addresses, ChainFollower follower, WithdrawalLedger withdrawals, Optional<SweepService> sweeper,
                         Optional<Push> push) {
    /** A source of "something new on the chain" notifications. */
    public interface Push {
        /** Starts listening; {@code wake} is run at each notification (any thread). Closing the result stops it. */
        AutoCloseable listen(Runnable wake);
    }
}
