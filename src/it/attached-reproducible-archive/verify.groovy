import java.security.MessageDigest
import java.util.zip.GZIPInputStream

def sha256 = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
def first = new File(basedir, 'first/images.tar.gz')
def second = new File(basedir, 'target/images.tar.gz')
assert first.isFile() && second.isFile()
assert sha256(first) == sha256(second) : 'two builds with the same inputs must write identical archives'

// the checksum file beside the archive, in sha256sum's format
assert new File(basedir, 'target/images.tar.gz.sha256').text == "${sha256(second)}  images.tar.gz\n"

// every entry carries project.build.outputTimestamp (2026-01-01T00:00:00Z = 1767225600), owner 0
def expected = 1767225600L
new GZIPInputStream(new FileInputStream(second)).withStream { tar ->
    def header = new byte[512]
    for (int guard = 0; guard < 10000; guard++) {
        if (tar.readNBytes(header, 0, 512) < 512) break
        def name = new String(header, 0, 100, 'US-ASCII').replaceAll('\u0000.*', '')
        if (name.isEmpty()) break
        long mtime = Long.parseLong(new String(header, 136, 11, 'US-ASCII').trim(), 8)
        assert mtime == expected : "${name} has mtime ${mtime}"
        assert Long.parseLong(new String(header, 108, 7, 'US-ASCII').trim() ?: '0', 8) == 0 : "${name} uid"
        long size = Long.parseLong(new String(header, 124, 11, 'US-ASCII').trim() ?: '0', 8)
        tar.skipNBytes(((size + 511) / 512 as long) * 512)
    }
}

// install published the attached archive with its classifier
def installed = new File(basedir, '../../local-repo/it/images/attached-reproducible-archive/1.0/attached-reproducible-archive-1.0-images.tar.gz')
assert installed.isFile() : "not installed: ${installed}"
assert sha256(installed) == sha256(second)
return true
