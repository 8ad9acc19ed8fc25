"""The form a county admin publishes a form definition with."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class FormDefinitionForm(FlaskForm):
    definition = FileField(_l("调查表定义文件（JSON）"), validators=[FileRequired(_l("请选择文件。"))])
