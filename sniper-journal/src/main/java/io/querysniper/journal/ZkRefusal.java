package io.querysniper.journal;

import org.apache.zookeeper.KeeperException;

/**
 * Which answers of ZooKeeper refuse a record for good: retrying the same write gives the same answer
 * whatever the connection does (an ACL that does not let this node write, a password rotated under
 * the session, a request the server will not take). Such a record is quarantined so that the records
 * behind it go on; every other failure is retried.
 */
enum ZkRefusal {
    /** Written, or nothing to say about the record. */
    NONE,
    /** Try again later: the connection, the session or the server's state may change. */
    RETRY,
    /** Will never be written as it is: quarantine it. */
    FOR_GOOD;

    static ZkRefusal of(KeeperException.Code code) {
        return switch (code) {
            case OK, NODEEXISTS, NONODE -> NONE; // settled by writing record by record
            case NOAUTH, INVALIDACL, BADARGUMENTS, NOCHILDRENFOREPHEMERALS, QUOTAEXCEEDED -> FOR_GOOD;
            default -> RETRY;
        };
    }
}
