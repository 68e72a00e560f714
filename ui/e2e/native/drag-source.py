#!/usr/bin/python3
"""A file manager's drag, in miniature: a GTK window at a known place whose label can be dragged,
offering the given files as text/uri-list (what Nautilus and Thunar offer). xdotool presses on
it, moves onto the app's window and releases; GTK's XDND delivers the drop to the app.
Usage: drag-source.py X Y PATH...   Prints "ready" once mapped, then "done dropped" or "done <why it failed>" after the drag."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

x, y = int(sys.argv[1]), int(sys.argv[2])
uris = [GLib.filename_to_uri(path, None) for path in sys.argv[3:]]

window = Gtk.Window(title="vas-drag-source")
window.set_default_size(160, 120)
window.move(x, y)
box = Gtk.EventBox()
label = Gtk.Label(label=f"{len(uris)} file(s)")
box.add(label)
window.add(box)

box.drag_source_set(
    Gdk.ModifierType.BUTTON1_MASK,
    [Gtk.TargetEntry.new("text/uri-list", 0, 0)],
    Gdk.DragAction.COPY,
)


def on_data_get(_widget, _context, data, _info, _time):
    data.set_uris(uris)


failed = []


def on_drag_failed(_widget, _context, result):
    failed.append(result.value_nick)
    return False


def on_drag_end(_widget, context):
    print(f"done {failed[0] if failed else 'dropped'}", flush=True)


box.connect("drag-data-get", on_data_get)
box.connect("drag-failed", on_drag_failed)
box.connect("drag-end", on_drag_end)
window.connect("destroy", Gtk.main_quit)


def on_mapped(*_args):
    print("ready", flush=True)


window.connect("map-event", on_mapped)
window.show_all()
Gtk.main()
