"""Commands for organiser accounts."""

import click
from flask.cli import AppGroup

from . import services
from .forms import MIN_PASSWORD_LENGTH

organizer_cli = AppGroup("organizer", help="Organiser accounts.")


@organizer_cli.command("create")
@click.argument("email")
@click.option("--password", help="The password (asked for when omitted).")
@click.option("--name", default="", help="Name shown to other organisers.")
@click.option("--admin", is_flag=True, help="Administrator: manages accounts and every event.")
def create_command(email, password, name, admin):
    """Create an organiser account that can sign in at /organizer/login."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if "@" not in email:
        raise click.ClickException(f"{email!r} is not an email address")
    try:
        organizer = services.create_organizer(email, password, name=name, is_admin=admin)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    role = "administrator" if organizer.is_admin else "organiser"
    click.echo(f"Created {role} {organizer.email}.")
