"""core.uploads: one refusal for a file any package will not take."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import DomainError
from core.uploads import UploadRejected, upload_name, upload_size_check


def test_the_name_shown_back_is_the_base_name_only():
    assert upload_name(SimpleUploadedFile("C:/Users/lan/ảnh.jpg", b"x")) == "ảnh.jpg"
    assert upload_name(SimpleUploadedFile("/tmp/a/b.png", b"x")) == "b.png"


def test_sizes_are_checked_naming_the_file_and_the_field():
    assert upload_size_check(SimpleUploadedFile("a.csv", b"abc"), max_bytes=3, field="file") == 3
    with translation.override("en"), pytest.raises(UploadRejected) as caught:
        upload_size_check(SimpleUploadedFile("a.csv", b""), max_bytes=3, field="file")
    assert (caught.value.code, caught.value.field) == ("empty", "file")
    assert str(caught.value.message) == "“a.csv” is empty."
    big = SimpleUploadedFile("lon.csv", b"x" * (3 * 1024 * 1024))
    with translation.override("en"), pytest.raises(UploadRejected) as caught:
        upload_size_check(big, max_bytes=2 * 1024 * 1024, field="file")
    assert (caught.value.code, caught.value.field) == ("too_large", "file")
    assert str(caught.value.message) == "“lon.csv” is 3,0 MB; files can be at most 2 MB."
    assert isinstance(caught.value, DomainError)


def test_a_stream_without_a_size_is_measured_and_rewound():
    stream = io.BytesIO(b"12345")
    stream.name = "x.bin"
    assert upload_size_check(stream, max_bytes=10, field="file") == 5
    assert stream.read() == b"12345"
