"""Every e-mail goes through ``core.mail.email_queue`` and the ``core.email_send`` task (issue
14): no module but ``core/tasks.py`` uses Django's mail API, so no request can send mail itself
(and wait for, or fail on, a mail server)."""

import ast

from tests.architecture.test_layers import ROOT, module_name, project_modules

SENDER = "core.tasks"
MAIL_API = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}


def mail_uses(path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found.append((node.lineno, f"from {node.module} import …"))
        elif isinstance(node, ast.ImportFrom) and node.module == "django.core":
            found += [(node.lineno, "django.core.mail") for a in node.names if a.name == "mail"]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.startswith("django.core.mail")
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in MAIL_API
            and isinstance(node.value, ast.Name)
            and node.value.id == "mail"
        ):
            found.append((node.lineno, f"mail.{node.attr}"))
    return found


def test_only_the_email_task_uses_djangos_mail_api():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {what}"
        for path in project_modules()
        if module_name(path) != SENDER and "migrations" not in path.parts
        for line, what in mail_uses(path)
    ]
    assert offenders == []
    assert mail_uses(ROOT / "core" / "tasks.py")  # the scan sees the one that does


def test_the_scan_finds_a_direct_send(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from django.core import mail\nfrom django.core.mail import send_mail\n"
        "import django.core.mail.backends\nmail.send_mail('s', 'b', None, ['a@b.vn'])\n"
    )
    assert [line for line, _what in mail_uses(module)] == [1, 2, 3, 4]
