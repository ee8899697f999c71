// A lock that misses test/docker-image:1.0; the digest is known only once the IT registry has been filled.
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
new File(basedir, 'images.lock.json').text = """{
  "version": 1,
  "images": [
    {
      "reference": "${registry}/test/oci-image:1.0",
      "manifests": {
        "linux/amd64": "${fixtures['oci-image.digest']}"
      }
    }
  ]
}
"""
return true
