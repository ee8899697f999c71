package io.github.frozenimages.images.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A transparency log's Merkle tree as RFC 6962 (section 2.1) defines it, over a list of leaves held in memory:
 * the root hash and the audit path of one leaf. Small trees only: enough to give a test log entry a real
 * inclusion proof with siblings on both sides.
 */
public final class TestMerkleTree {

    private final List<byte[]> leaves;

    public TestMerkleTree(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
        }
        this.leaves = List.copyOf(leaves);
    }

    public int size() {
        return leaves.size();
    }

    /** MTH(D[n]). */
    public byte[] rootHash() {
        return hash(0, leaves.size());
    }

    /** PATH(m, D[n]): the sibling hashes from the leaf up to the root. */
    public List<byte[]> auditPath(int leafIndex) {
        if (leafIndex < 0 || leafIndex >= leaves.size()) {
            throw new IllegalArgumentException("leaf " + leafIndex + " is not in a tree of " + leaves.size());
        }
        List<byte[]> path = new ArrayList<>();
        path(leafIndex, 0, leaves.size(), path);
        return path;
    }

    private void path(int m, int from, int to, List<byte[]> path) {
        int n = to - from;
        if (n == 1) {
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(m, from, from + k, path);
            path.add(hash(from + k, to));
        } else {
            path(m - k, from + k, to, path);
            path.add(hash(from, from + k));
        }
    }

    private byte[] hash(int from, int to) {
        int n = to - from;
        if (n == 1) {
            return sha256(new byte[] {0x00}, leaves.get(from));
        }
        int k = largestPowerOfTwoBelow(n);
        return sha256(new byte[] {0x01}, hash(from, from + k), hash(from + k, to));
    }

    private static int largestPowerOfTwoBelow(int n) {
        int k = 1;
        while (k << 1 < n) {
            k <<= 1;
        }
        return k;
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
