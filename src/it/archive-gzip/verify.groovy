import java.util.zip.GZIPInputStream

def archive = new File(basedir, 'target/images.tar.gz')
assert archive.isFile()
def bytes = archive.bytes
assert (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b : 'not gzip'
// list tar entry names from the uncompressed stream (512-byte headers)
def names = []
new GZIPInputStream(new FileInputStream(archive)).withStream { tar ->
    def header = new byte[512]
    for (int guard = 0; guard < 10000; guard++) {
        if (tar.readNBytes(header, 0, 512) < 512) break
        def name = new String(header, 0, 100, 'US-ASCII').replaceAll('\u0000.*', '')
        if (name.isEmpty()) break
        names << name
        long size = Long.parseLong(new String(header, 124, 11, 'US-ASCII').trim() ?: '0', 8)
        tar.skipNBytes(((size + 511) / 512 as long) * 512)
    }
}
assert names.contains('manifest.json') && names.contains('index.json') && names.contains('oci-layout')
assert names.count { it.startsWith('blobs/sha256/') && it.length() == 'blobs/sha256/'.length() + 64 } == 5 // manifest, config, 3 layers
return true
