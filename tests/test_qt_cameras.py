"""Camera names on the Qt side: sysfs names on Linux, QMediaDevices' elsewhere."""

from __future__ import annotations

from posapp.qt import cameras
from posapp.scan.camera import CameraInfo


def test_linux_names_come_from_sysfs(monkeypatch):
    monkeypatch.setattr(cameras, "list_cameras", lambda: [CameraInfo(0, "USB Camera")])
    monkeypatch.setattr(cameras.sys, "platform", "linux")
    assert cameras.cameras() == [CameraInfo(0, "USB Camera")]


def test_elsewhere_the_names_are_qtmultimedia_s(monkeypatch):
    monkeypatch.setattr(cameras.sys, "platform", "win32")
    monkeypatch.setattr(cameras, "qt_camera_names", lambda: ["Logitech C920", "OBS Virtual"])
    monkeypatch.setattr(cameras, "list_cameras", lambda: [CameraInfo(0, "Camera 0")])
    assert cameras.cameras() == [CameraInfo(0, "Logitech C920")]
    monkeypatch.setattr(cameras, "list_cameras", lambda: [])
    assert cameras.cameras() == [CameraInfo(0, "Logitech C920"), CameraInfo(1, "OBS Virtual")]


def test_qtmultimedia_answers_here(qapp):
    names = cameras.qt_camera_names()  # the real QMediaDevices: no camera on this machine
    assert isinstance(names, list) and all(isinstance(n, str) and n for n in names)
