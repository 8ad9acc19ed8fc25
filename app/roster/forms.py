from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from app.files.kept import TOKEN_PATTERN


class UploadForm(FlaskForm):
    roster = FileField(_l("花名册文件（XLSX 或 CSV）"), validators=[FileRequired(_l("请选择要导入的花名册文件"))],
                       render_kw={"accept": ".xlsx,.csv"})


class ImportForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired(), Regexp(TOKEN_PATTERN)])
