"""Field keys of a data row: the vocabulary shared by rules, sheets and service."""
from rules.sop import load_sop

ID = "id"
KODE = "kode_data"
URAIAN = "uraian_data"
RINCIAN = "rincian"
SATUAN = "satuan"
TAHUN = "tahun"
NILAI = "nilai"
KETERANGAN = "keterangan"
KONSEP = "konsep"
DEFINISI = "definisi"
KLASIFIKASI = "klasifikasi"
UKURAN = "ukuran"
FREKUENSI = "frekuensi"
BIDANG = "bidang"  # the OPD's division that handles the item (SOP step 4), optional

DICEK = "dicek_bersama"
SEPAKAT_OPD = "disepakati_opd"
SEPAKAT_WALIDATA = "disepakati_walidata"
SETUJU_KA = "disetujui_ka_opd"
SELESAI_ISI = "selesai_diisi"
VERIFIKASI = "terverifikasi"
CATATAN = "catatan_walidata"

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a workspace, a Daftar Data line or a rollover may name

STATUS = "status"
HASIL = "hasil_pemeriksaan"
DIPERBARUI = "diperbarui"

DATA_FIELDS = (KODE, URAIAN, RINCIAN, SATUAN, TAHUN, NILAI, KETERANGAN,
               KONSEP, DEFINISI, KLASIFIKASI, UKURAN, FREKUENSI,
               BIDANG)  # Bidang: remembered and audited like the others; neither agreed nor archived content
STANDAR_DATA = (KONSEP, DEFINISI, KLASIFIKASI, UKURAN, FREKUENSI)
AGREED_FIELDS = (KODE, URAIAN, RINCIAN, SATUAN)  # an edit after agreement reopens the list
VALUE_FIELDS = (TAHUN, NILAI, KETERANGAN)  # archived content: an edit after verification asks for re-verification
STEP_BOXES = tuple(load_sop().boxes)  # in the order they may be ticked (sop.yaml)
SYSTEM_FIELDS = (ID, STATUS, HASIL, DIPERBARUI)
