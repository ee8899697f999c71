new File(basedir, 'test.properties').text = "images=${registry}/test/oci-image:1.0,${registry}/test/docker-image:1.0\n"
return true
