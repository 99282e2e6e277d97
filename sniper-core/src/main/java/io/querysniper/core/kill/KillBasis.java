package io.querysniper.core.kill;

/** Which threshold a kill decision rests on: what must still be true of the session for the KILL to be right. */
public enum KillBasis {
    /** The running statement is too old: the same statement must still run. */
    BUSY,
    /** The connection is idle too long: it must still be idle, in the same idle stretch. */
    IDLE,
    /** The open transaction is too old: the same transaction must still be open. */
    TRANSACTION
}
