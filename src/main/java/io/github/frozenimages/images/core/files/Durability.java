package io.github.frozenimages.images.core.files;

/** Whether {@link AtomicFile} makes the new bytes reach the disk before they take the file's name. */
public enum Durability {

    /**
     * The bytes are synced before the rename, so that after a crash the name holds the old file or the whole
     * new one. Without it the rename can reach the disk before the data, and the name then holds an empty or
     * short file: for a file that something later trusts because it is there.
     */
    SYNCED,

    /**
     * Left to the operating system; a crash may leave an empty or short file under the name. For files whose
     * reader refuses or rebuilds such a file, or that nothing reads back, where a sync would cost a wait on
     * the disk for nothing.
     */
    UNSYNCED
}
