"""Forms of the organisers' side (sign-in and account)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import BaseForm

MIN_PASSWORD_LENGTH = 10


class LoginForm(BaseForm):
    email = StringField(
        _l("Email"),
        validators=[DataRequired(_l("Inserire l'indirizzo email.")), Length(max=254)],
        render_kw={"autocomplete": "username", "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Scrivi la password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ricordami su questo dispositivo"))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Password attuale"),
        validators=[DataRequired(_l("Scrivi la password attuale.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nuova password"),
        description=_l("Almeno %(n)d caratteri.", n=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(_l("Scrivi la nuova password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("La password deve avere almeno %(n)d caratteri.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Ripeti la nuova password"),
        validators=[EqualTo("new_password", message=_l("Le due password non coincidono."))],
        render_kw={"autocomplete": "new-password"},
    )
