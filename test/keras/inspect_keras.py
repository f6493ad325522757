"""Independent structural dump of a .keras archive or a .weights.h5 file, using Python's zipfile and h5py.

Prints one JSON object: zip member facts, metadata.json, config.json facts, and the HDF5 tree (superblock version,
groups with attributes, datasets with shape, dtype, layout, chunking and compression). Used by the tslab-fit tests
to check written files with a reader that shares no code with the writer.
"""
import io
import json
import sys
import zipfile

import h5py


def h5_facts(f):
    groups = {}
    datasets = {}

    def attrs_of(obj):
        out = {}
        for k in obj.attrs:
            v = obj.attrs[k]
            t = obj.attrs.get_id(k).get_type()
            is_vlen_utf8 = isinstance(t, h5py.h5t.TypeStringID) and t.is_variable_str() and t.get_cset() == h5py.h5t.CSET_UTF8
            out[k] = {"value": v if isinstance(v, str) else repr(v), "vlen_utf8": bool(is_vlen_utf8),
                      "scalar": obj.attrs.get_id(k).shape == ()}
        return out

    def visit(name, obj):
        if isinstance(obj, h5py.Group):
            groups[name] = attrs_of(obj)
        else:
            plist = obj.id.get_create_plist()
            datasets[name] = {
                "shape": list(obj.shape),
                "dtype": obj.dtype.str if obj.dtype.kind != "i" else "<" + obj.dtype.str[1:],
                "contiguous": plist.get_layout() == h5py.h5d.CONTIGUOUS,
                "chunks": obj.chunks,
                "compression": obj.compression,
                "filters": plist.get_nfilters(),
                "maxshape": list(obj.maxshape),
                "first": [float(x) for x in obj[()].ravel()[:3]] if obj.shape != () else [float(obj[()])],
            }

    f.visititems(visit)
    return {
        "superblock": f.id.get_create_plist().get_version()[0],
        "root_attrs": attrs_of(f),
        "groups": groups,
        "datasets": datasets,
    }


def main(path):
    out = {}
    if path.endswith(".keras"):
        z = zipfile.ZipFile(path)
        out["comment"] = z.comment.decode()
        out["members"] = [
            {"name": i.filename, "compress_type": i.compress_type, "date_time": list(i.date_time),
             "flag_bits": i.flag_bits, "create_system": i.create_system, "external_attr": i.external_attr}
            for i in z.infolist()
        ]
        out["metadata_raw"] = z.read("metadata.json").decode()
        raw = z.read("config.json").decode()
        out["config_one_line"] = "\n" not in raw
        out["config_python_style"] = raw == json.dumps(json.loads(raw))
        out["config"] = json.loads(raw)
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            out["h5"] = h5_facts(f)
    else:
        with h5py.File(path, "r") as f:
            out["h5"] = h5_facts(f)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
